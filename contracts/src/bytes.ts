const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes or text as text, or `null` when the bytes are not valid UTF-8. */
export function toText(input: string | Uint8Array): string | null {
  if (typeof input === "string") return input;
  try {
    return strictUtf8.decode(input);
  } catch {
    return null;
  }
}

/** The UTF-8 length of a value without copying it when it is already bytes. */
export function byteLength(input: string | Uint8Array): number {
  return typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
}

/** JSON.parse as a result value. */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
