/**
 * `url` without its trailing slashes, so that a path can be appended (`http://host/gw/` →
 * `http://host/gw`). Cut by hand: `/\/+$/` backtracks quadratically on a long run of slashes.
 */
export function trimTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === "/") end--;
  return url.slice(0, end);
}
