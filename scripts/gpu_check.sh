#!/usr/bin/env bash
# GPU check, self-contained, for a bare machine with an NVIDIA GPU (about 5 minutes):
# installs the digitizer with the onnxruntime-gpu extra, then runs the benchmark's project
# pipeline on the GPU (CUDA execution provider) and on the CPU over the same sample pages,
# and prints both. Usage: bash scripts/gpu_check.sh [DOCS]   (default 3 documents)
set -euo pipefail
cd "$(dirname "$0")/.."
docs="${1:-3}"
python3 -m venv /tmp/digitizer-gpu
/tmp/digitizer-gpu/bin/pip install -q --upgrade pip
/tmp/digitizer-gpu/bin/pip install -q -e '.[gpu]'
# onnxruntime (CPU) and onnxruntime-gpu share one module: keep the GPU build.
/tmp/digitizer-gpu/bin/pip uninstall -q -y onnxruntime || true
/tmp/digitizer-gpu/bin/pip install -q --force-reinstall --no-deps 'onnxruntime-gpu>=1.18'
/tmp/digitizer-gpu/bin/pip install -q --force-reinstall --no-deps 'opencv-python-headless==4.10.0.84'
nvidia-smi --query-gpu=name,memory.total --format=csv || true
/tmp/digitizer-gpu/bin/python -c "import onnxruntime as o; print('providers', o.get_available_providers())"
for device in cuda cpu; do
  echo "== device $device"
  /tmp/digitizer-gpu/bin/python -m digitizer_tools.bench scans/ --docs "$docs" --variants project \
      --engine onnxruntime --device "$device" --out "/tmp/bench-$device.json"
done
