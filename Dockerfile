# Every service's image, from this one file: the build argument SERVICE (user-service,
# task-service or ai-gateway) picks the service, PORT its usual port. Build from the repository
# root (compose.yaml does, with both arguments):
#   docker build --build-arg SERVICE=ai-gateway --build-arg PORT=3001 -t event-mesh/ai-gateway .
#   docker run -p 127.0.0.1:3001:3001 -e PORT=3001 event-mesh/ai-gateway
# The image holds only that service's production dependencies and the sources of the workspace
# packages it depends on (scripts/docker-keep.ts removes the others), no tests.
#
# The base image is pinned by its exact tag: no registry is reachable where this file is written,
# so no digest was looked up. To pin by digest where you build, take the one of
#   docker buildx imagetools inspect oven/bun:1.4.5
# and write both FROM lines as oven/bun:1.4.5@sha256:<digest>.

FROM oven/bun:1.4.5 AS build
ARG SERVICE
WORKDIR /app
# Manifests first, so that a code change reuses the cached install layer.
COPY package.json bun.lock bunfig.toml ./
# bun install applies the patches named in package.json (patchedDependencies).
COPY patches patches
COPY contracts/package.json contracts/
COPY kafka-kit/package.json kafka-kit/
COPY service-kit/package.json service-kit/
COPY outbox-kit/package.json outbox-kit/
COPY user-service/package.json user-service/
COPY task-service/package.json task-service/
COPY ai-gateway/package.json ai-gateway/
# Production dependencies of this service alone: no devDependencies, no other service's, and no
# optional peers (TypeScript, which valibot names as one, would add 30 MB).
RUN test -n "${SERVICE}" && bun install --frozen-lockfile --production --omit=peer --filter "@event-mesh/${SERVICE}"
COPY contracts/src contracts/src
COPY contracts/generated contracts/generated
COPY mesh.entities.yaml ./
COPY kafka-kit/src kafka-kit/src
COPY service-kit/src service-kit/src
COPY outbox-kit/src outbox-kit/src
COPY outbox-kit/migrations outbox-kit/migrations
COPY user-service/src user-service/src
COPY user-service/migrations user-service/migrations
COPY task-service/src task-service/src
COPY task-service/migrations task-service/migrations
COPY ai-gateway/src ai-gateway/src
COPY scripts/docker-keep.ts scripts/
# Only the service and the workspace packages it depends on stay; tests live beside the code
# (*.test.ts): .dockerignore keeps them out of the context, and this keeps them out of the image
# even when the build context has them.
RUN bun scripts/docker-keep.ts "${SERVICE}" && rm -r scripts \
  && find . -path ./node_modules -prune -o -name '*.test.ts' -type f -exec rm {} +

FROM oven/bun:1.4.5
ARG SERVICE
ARG PORT
WORKDIR /app
# PORT is read at run time (docker run -e PORT=…); the default is the service's usual port.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT} DATA_DIR=/data
COPY --from=build /app ./
RUN mkdir -p /data && chown bun:bun /data
USER bun
WORKDIR /app/${SERVICE}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD bun -e "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["bun", "src/main.ts"]
