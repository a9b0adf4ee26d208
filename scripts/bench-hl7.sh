#!/usr/bin/env bash
# HL7 codec and MLLP throughput (suite "hl7"), in Release. Extra arguments go to the suite:
#   --runs N (5)  --seconds S (1)  --mllp-messages N (20000)  --mllp-clients N (1)
# Exit code 1 when the MLLP round trip misses its target (5,000 msg/s).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project tests/IdentityRef.Benchmarks -- hl7 "$@"
