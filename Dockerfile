# syntax=docker/dockerfile:1
# MCP Auth Proxy: build with the dev dependencies, run with the production ones only.
#   docker build -t mcp-auth-proxy .
#   docker run --init -p 3000:3000 --env-file .env mcp-auth-proxy
# Configuration is environment variables only (docs/configuration.md); docs/deploy.md covers volumes and Redis.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs scripts/
COPY src/ src/
# `npm ci` runs `prepare`, which is `npm run build`: tsc into dist/, views copied beside it.
RUN npm ci --no-audit --no-fund

FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc, which is a dev dependency; dist/ comes from the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/ dist/
# The embedded SQLite store and its generated keys live here (mount a volume to keep them).
RUN mkdir -p /app/.mcp-auth-proxy && chown node:node /app/.mcp-auth-proxy
USER node
EXPOSE 3000
# /healthz is liveness only (no dependency is asked); node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Caps V8's young generation (8 MiB per semi-space): under load V8 otherwise lets it grow to
# 64 MiB, most of the resident size at 32 connections (docs/benchmarks.md). Same as `npm start`.
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
