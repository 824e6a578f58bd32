# Gongwen service image: Debian 12, LibreOffice headless and the fonts installed by the same script
# that `make run` and `make test` use, so what is tested is what ships.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GONGWEN_DATA_DIR=/var/lib/gongwen

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

COPY scripts/setup-system.sh /opt/gongwen/scripts/setup-system.sh
RUN bash /opt/gongwen/scripts/setup-system.sh --runtime-only \
    && apt-get install -y -qq --no-install-recommends tini=0.19.* \
    && rm -rf /var/lib/apt/lists/*

# The data directory is a volume apart from the home directory: several containers may share it (the file
# store, see README "Scale-out"), while what programs keep in $HOME (fontconfig's cache, gunicorn's control
# socket) belongs to one container.
RUN groupadd --system --gid 10001 gongwen \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/gongwen gongwen \
    && install -d -o 10001 -g 10001 /var/lib/gongwen

WORKDIR /opt/gongwen
# The dependencies first, from pyproject.toml alone, so that a change to the code rebuilds only the layers
# below this one (seconds) rather than the whole virtual environment.
COPY pyproject.toml ./
RUN python3 -m venv /opt/gongwen/.venv \
    && python3 -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' \
        >/tmp/requirements.txt \
    && /opt/gongwen/.venv/bin/pip install --no-cache-dir --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt
COPY README.md ./
COPY service ./service
COPY schemas ./schemas
COPY templates ./templates
COPY fonts ./fonts
RUN /opt/gongwen/.venv/bin/pip install --no-cache-dir --no-deps .

ENV PATH=/opt/gongwen/.venv/bin:$PATH \
    GONGWEN_TEMPLATES_DIR=/opt/gongwen/templates \
    GONGWEN_FONTS_CONFIG=/opt/gongwen/fonts/fonts.conf
USER 10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

# tini reaps LibreOffice's children: PID 1 in a container must, or killed offices linger as zombies.
ENTRYPOINT ["tini", "--"]
CMD ["gongwen", "serve", "--host", "0.0.0.0", "--port", "8000"]
