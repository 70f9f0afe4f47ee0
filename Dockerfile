# The release bridge: one self-contained bundle (dist/bridge, committed), no npm install in the image.
# docker build -t release-bridge . && docker run -p 8080:8080 -v bridge-data:/data \
#   -e BRIDGE_INGEST_TOKEN=… -e BRIDGE_READ_TOKEN=… release-bridge
FROM node:24-slim

ENV NODE_ENV=production \
    BRIDGE_PORT=8080 \
    BRIDGE_HOST=0.0.0.0 \
    BRIDGE_DATABASE=/data/release-bridge.db

WORKDIR /app
COPY dist/bridge/ ./
RUN mkdir -p /data && chown node:node /data

# The image's unprivileged user; the SQLite file lives on the /data volume it owns.
USER node
VOLUME ["/data"]
EXPOSE 8080

# /readyz answers 200 only while the database is reachable.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.BRIDGE_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM reaches node directly (exec form), so the bridge shuts down gracefully.
CMD ["node", "index.js"]
