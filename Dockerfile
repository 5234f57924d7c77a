# The image the Kubernetes launcher runs apps from ([kubernetes] image): Node 20, the built hydra
# and its native client (client_library=native, on Debian's librdkafka), nothing else (no broker,
# no browser). Pods run `node dist/src/apps/<kind>.js` from /opt/hydra.
# Build: docker build -t <registry>/hydra:<tag> . && docker push <registry>/hydra:<tag>
FROM node:20-bookworm-slim AS build
WORKDIR /opt/hydra
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc make libc6-dev librdkafka-dev >/dev/null && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npx tsc -p . && rm -rf dist/test dist/bench && npm prune --omit=dev --no-audit --no-fund --loglevel=error
COPY clients/native ./clients/native
RUN make -s -C clients/native

FROM node:20-bookworm-slim
WORKDIR /opt/hydra
# The native client's one library (the build stage linked against it).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends librdkafka1 >/dev/null && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production KAFKAJS_NO_PARTITIONER_WARNING=1
COPY --from=build /opt/hydra/package.json ./
COPY --from=build /opt/hydra/clients/native/build/hydra_native.node ./clients/native/build/hydra_native.node
COPY --from=build /opt/hydra/node_modules ./node_modules
COPY --from=build /opt/hydra/dist ./dist
COPY bin ./bin
USER node
# The launcher sets the command (pub or sub) in each pod.
CMD ["node", "dist/src/apps/sub.js"]
