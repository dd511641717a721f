# b24bi connector. Build: docker build -t b24bi .   Run: docker run -p 3000:3000 -e CONNECTOR_TOKEN=... b24bi
# The build stage needs python3, make and g++ (the full image has them: better-sqlite3 compiles when no prebuilt
# binary can be fetched); the runtime stage only node. BASE_REGISTRY and NODE_TAG let the local container test use stand-ins.
ARG BASE_REGISTRY=docker.io/library/
ARG NODE_TAG=24

FROM ${BASE_REGISTRY}node:${NODE_TAG}-bookworm AS build
WORKDIR /app
# Native addons compile against the image's own headers, not ones downloaded from nodejs.org.
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY package.json package-lock.json ./
# Dependencies first (cached while the lock file is unchanged); the package's own prepare runs later.
RUN npm ci --ignore-scripts && npm rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY plugins ./plugins
COPY adapters ./adapters
COPY bench ./bench
COPY scripts/image-dependencies.mjs ./scripts/
# The drivers, swagger and the JS SDK are optional peers of the package; the image serves every adapter and feature,
# so they stay (see the script).
RUN npm run build && node scripts/image-dependencies.mjs \
 && npm install --package-lock-only --offline --ignore-scripts \
 && npm prune --omit=dev && npm cache clean --force

FROM ${BASE_REGISTRY}node:${NODE_TAG}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Non-root (uid 1000 is `node` in the official images); the code is read-only to it, /tmp is writable.
USER 1000:1000
EXPOSE 3000
# (no --start-period: dockerfilelint 1.8 misreads it; three 30 s retries cover the first start)
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "const s=process.env.B24BI_TLS_CERT?require('node:https'):require('node:http');s.get({host:'127.0.0.1',port:process.env.B24BI_PORT||process.env.PORT||3000,path:'/health',rejectUnauthorized:false,timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# A small young generation: V8 then collects the socket and driver buffers of a streamed answer every few MB instead of
# letting up to ~100 MB of them wait for a major GC; 8 MB, not 4, so the row path's batches die young
# (docs/performance.md, memory).
CMD ["node", "--max-semi-space-size=8", "dist/src/cli/main.js", "serve"]
