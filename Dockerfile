# One image recipe for both services, chosen with a build argument (compose.yaml sets it):
#   docker build --build-arg SERVICE=user-service --build-arg PORT=3000 -t event-mesh/user-service .
#   docker build --build-arg SERVICE=ai-gateway --build-arg PORT=3001 -t event-mesh/ai-gateway .
FROM oven/bun:1.4.5
ARG SERVICE
ARG PORT
RUN test -n "$SERVICE" && test -n "$PORT" || (echo "set --build-arg SERVICE and PORT" && exit 1)
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=$PORT DATA_DIR=/data

# Dependencies first, so that code changes reuse the cached install layer.
COPY package.json bun.lock bunfig.toml ./
COPY contracts/package.json contracts/
COPY kafka-kit/package.json kafka-kit/
COPY service-kit/package.json service-kit/
COPY user-service/package.json user-service/
COPY ai-gateway/package.json ai-gateway/
RUN bun install --frozen-lockfile --production

COPY contracts contracts
COPY kafka-kit kafka-kit
COPY service-kit service-kit
COPY $SERVICE $SERVICE
RUN mkdir -p /data && chown bun:bun /data

USER bun
WORKDIR /app/$SERVICE
EXPOSE $PORT
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD bun -e "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["bun", "src/main.ts"]
