# servebench container image: the CLI on Node 20 (slim Debian), non-root, `servebench` on PATH.
# Used by `servebench k8s render|run` (one pod per shard). Build and publish:
#   docker build -t servebench/servebench:0.1.0 . && docker push servebench/servebench:0.1.0
# Not built in CI here (no Docker engine on the CI machine); see deploy/README.md.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# --ignore-scripts: `prepare` would build before the sources are complete; build explicitly.
RUN npm ci --ignore-scripts && npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json README.md ./
COPY docs ./docs
RUN chmod +x dist/cli/main.js && ln -s /app/dist/cli/main.js /usr/local/bin/servebench
USER node
WORKDIR /home/node
CMD ["servebench", "--help"]
