#!/usr/bin/env bash
# The layering rule of docs/ARCHITECTURE.md, checked over every #include "..."
# line: a file may include only its own layer or a lower one, and a few
# includes are forbidden outright. Run by `make test` (ctest: layering).
#   bash scripts/check_layers.sh [repository root]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# Layers, lowest first. Public headers belong to the layer that implements them;
# tensor.h and tensor_options.h (the handle every kernel takes) sit with the core.
layer_of() {  # a path under src/ or include/ember/, or an include as written
  local p="${1#src/}"
  p="${p#include/}"
  case "$p" in
    core/* | ember/device.h | ember/dtype.h | ember/error.h | ember/intrusive_ptr.h | ember/scalar.h | \
    ember/shape.h | ember/small_vector.h | ember/storage.h | ember/tensor_impl.h | ember/tensor.h | \
    ember/tensor_options.h | ember/generator.h | ember/grad_mode.h | ember/threads.h | ember/warning.h | \
    ember/elementwise_ops.h) echo 0 ;;
    backend/*) echo 1 ;;
    # The graph ops record into (Node, Saved, record); the engine that runs it sits above the ops.
    graph/* | ember/autograd.h) echo 2 ;;
    ops/* | ember/creation.h | ember/ops.h | ember/state_dict.h) echo 3 ;;
    autograd/*) echo 4 ;;
    io/* | ember/io.h | ember/image_io.h | ember/metadata.h | ember/atomic_file.h) echo 5 ;;
    nn/* | ember/nn/* | ember/nn.h | optim/* | ember/optim/* | ember/optim.h | data/* | ember/data/* | ember/data.h | \
    dist/* | ember/dist/* | ember/dist.h) echo 6 ;;
    models/* | ember/models.h) echo 7 ;;
    train/* | ember/train/* | ember/train.h) echo 8 ;;
    # The search runs trials of any kind; `ember tune` makes them training runs.
    tune/* | ember/tune/* | ember/tune.h) echo 8 ;;
    ember/ember.h) echo 9 ;;
    *) echo "" ;;
  esac
}

status=0
report() {
  echo "layering: $1" >&2
  status=1
}

while IFS= read -r file; do
  own=$(layer_of "$file")
  [ -n "$own" ] || continue
  folder="${file#src/}"
  folder="${folder%%/*}"
  while IFS= read -r line; do
    inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$line")
    # Includes relative to the file's own folder (e.g. "args.h") are the file's own layer.
    [[ "$inc" == */* ]] || continue
    theirs=$(layer_of "$inc")
    if [ -z "$theirs" ]; then
      report "$file includes \"$inc\", which belongs to no layer (add it to scripts/check_layers.sh)"
      continue
    fi
    [ "$theirs" -le "$own" ] || report "$file (layer $own) includes \"$inc\" (layer $theirs): layers depend downward only"
    # The backend is the only code that touches element memory: nothing above the ops reaches into it,
    # and kernels never call back up into the ops.
    case "$folder" in
      autograd | nn | optim | io | data | models | train | tune | dist)
        [[ "$inc" != backend/* ]] || report "$file includes \"$inc\": only src/ops may call the backends" ;;
      backend)
        case "$inc" in
          ops/* | graph/* | autograd/* | ember/ops.h | ember/creation.h | ember/autograd.h)
            report "$file includes \"$inc\": kernels never call ops (the op allocates, the kernel fills)" ;;
        esac ;;
    esac
  done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
done < <(find src include/ember -name '*.h' -o -name '*.cpp' | sort)

# tools/ sit on top: they may use any public header, but no library internals.
while IFS= read -r file; do
  if hits=$(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(core|backend|graph|ops|autograd|nn|optim|io|data|models|train)/' "$file"); then
    sed 's/^/layering: /; s/$/: tools use the public headers only/' <<<"$hits" >&2
    status=1
  fi
done < <(find tools -name '*.h' -o -name '*.cpp' | sort)

[ "$status" -eq 0 ] && echo "layering: every include goes downward"
exit "$status"
