// What `bun run dev` prints once the services answer /readyz: where they are, their reference
// pages, the ingest token, and requests to paste. README.md shows it as printed (a test
// compares the two).

/** What the banner tells. */
export interface BannerInfo {
  /** `HTTP delivery, sqlite-vec` or the Kafka/Qdrant addresses. */
  mode: string;
  dataDir: string;
  usersUrl: string;
  tasksUrl: string;
  gatewayUrl: string;
  /** The gateway's INGEST_TOKEN for `POST /events`. */
  ingestToken: string;
  /** Where dev wrote the token, for scripts. */
  tokenFile: string;
}

/** The banner text, with a leading and a trailing blank line. */
export function banner(info: BannerInfo): string {
  const { usersUrl: u, tasksUrl: t, gatewayUrl: g } = info;
  return `
Event Mesh is running (${info.mode}); data in ${info.dataDir}

  user-service  ${u}    docs ${u}/docs    events ${u}/asyncapi
  task-service  ${t}    docs ${t}/docs    events ${t}/asyncapi
  ai-gateway    ${g}    docs ${g}/docs    events ${g}/asyncapi

  INGEST_TOKEN  ${info.ingestToken}
                (POST ${g}/events needs it; also in ${info.tokenFile})

Try it:
  curl -s -X POST ${u}/users/create -H 'Authorization: Bearer tenant-a:user-123' \\
    -H 'Content-Type: application/json' -d '{"email":"alice@tenant-a.dev","name":"Alice A"}'
  curl -s '${g}/search?q=alice&type=users' -H 'Authorization: Bearer tenant-a:user-123'
  curl -s ${u}/users -H 'Authorization: Bearer tenant-a:user-123'
  curl -s -X POST ${t}/tasks -H 'Authorization: Bearer tenant-a:user-123' \\
    -H 'Content-Type: application/json' -d '{"title":"File the VAT return"}'
  curl -s '${g}/search?q=VAT&type=tasks' -H 'Authorization: Bearer tenant-a:user-123'

Ctrl-C stops them all. \`bun run demo\` walks through the whole flow.
`;
}
