#!/bin/sh
# The s2i convention of Seldon's Python images, for seldon-microservice:
#   MODEL_NAME    the component module, resolved in the working directory (a bare name `MyModel`
#                 → ./MyModel.{js,mjs,cjs,ts}, or a path)
#   SERVICE_TYPE  MODEL | ROUTER | TRANSFORMER | OUTPUT_TRANSFORMER | COMBINER (default MODEL)
#   PERSISTENCE   accepted and ignored, as the reference does
# Everything else (ports, PREDICTIVE_UNIT_PARAMETERS, PREDICTIVE_UNIT_ID, GUNICORN_WORKERS...) is
# read by seldon-microservice from the environment the Seldon operator sets. Extra arguments
# given to the container are passed on.
set -eu

if [ -z "${MODEL_NAME:-}" ]; then
  echo "entrypoint: MODEL_NAME must name the component module (e.g. MODEL_NAME=model for ./model.js)" >&2
  exit 1
fi
SERVICE_TYPE="${SERVICE_TYPE:-MODEL}"

if [ -n "${PERSISTENCE:-}" ]; then
  set -- --persistence "$PERSISTENCE" "$@"
fi

# exec: seldon-microservice replaces this shell (PID 1 in the container) and gets the kubelet's SIGTERM.
exec seldon-microservice "$MODEL_NAME" --service-type "$SERVICE_TYPE" "$@"
