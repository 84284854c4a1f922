# syntax=docker/dockerfile:1
# Production image: build in one stage, run a pruned tree as a non-root user.
#
#   docker build -t fleet-concierge .
#   docker run --rm --env-file prod.env fleet-concierge node dist/src/cli/migrate-cli.js   # release step
#   docker run -d --env-file prod.env -p 3000:3000 fleet-concierge
#
# Migrations are a release step (README → Deploy); the app also applies pending ones at start-up, serialized
# across replicas by an advisory lock. No secret is baked in: everything comes from the environment.
# No Docker engine runs on CI: .ci/docker-steps runs these same steps on a copy of the repository and starts
# the result, and test/dockerfile.test.ts checks this file's structure.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx prisma generate && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/app/data
WORKDIR /app
# The code stays owned by root, read-only for the app; only the embedded database's folder is writable.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma/migrations ./prisma/migrations
COPY --from=build /app/src/checklist/templates ./dist/src/checklist/templates
COPY --from=build /app/src/sandbox/page ./dist/src/sandbox/page
COPY package.json manifest.yml ./
# The chart's font (the slim image has none): src/analytics/chart.ts reads ../../../assets/fonts from dist.
COPY assets/fonts ./assets/fonts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
