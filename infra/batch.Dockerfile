# csplade batch image: CUDA runtime + Node 20 + onnxruntime-node with its CUDA execution provider.
#
#   docker build -f infra/batch.Dockerfile -t csplade-batch .
#   docker run --gpus all csplade-batch index --corpus s3://… --index main --store s3://… --encoder onnx:/models/enc
#
# The CUDA/cuDNN versions must match what onnxruntime-node's CUDA provider was built against
# (onnxruntime 1.30: CUDA 12.x, cuDNN 9). Models are not baked in: mount them or pass a store URL.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && mkdir -p /etc/apt/keyrings \
 && curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg \
 && echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main" > /etc/apt/sources.list.d/nodesource.list \
 && apt-get update && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/csplade
COPY package.json package-lock.json ./
# npm ci skips install scripts that are not approved; onnxruntime-node's is what fetches the CUDA provider,
# so run it explicitly with the CUDA 12 flavour.
RUN npm ci --omit=dev --ignore-scripts \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js
# The csplade program lives in compose/ (it lists the batch verbs and the ones that run edge code), so
# the image carries edge/ too: `csplade search` and `serve` work in it as well.
COPY shared ./shared
COPY batch ./batch
COPY edge ./edge
COPY compose ./compose
COPY bin ./bin

# Non-root: the job needs no privileges inside the container.
RUN useradd --system --uid 10001 csplade
USER csplade
ENV NODE_OPTIONS=--max-old-space-size=12288 CSPLADE_EXECUTION_PROVIDERS=cuda,cpu
ENTRYPOINT ["node", "--import", "tsx", "compose/cli/main.ts"]
