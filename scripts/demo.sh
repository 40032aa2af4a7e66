#!/bin/sh
# demo.sh: the main job on the bundled samples. Compiles every mandatory
# template in templates/aws and the sample municipal system in samples/,
# then says where the CloudFormation templates are.
set -eu
hinagata=${1:-_build/hinagata}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build
echo "== hinagata compile: mandatory templates and the city-a sample -> $out/"
"$hinagata" compile -o "$out" templates/aws/*.yaml samples/city-a/*.yaml
echo
echo "Compiled CloudFormation templates:"
find "$out" -name '*.json' | sort | sed 's/^/  /'
echo
echo "Deploy one with, for example:"
echo "  aws cloudformation deploy --template-file $out/city-a/juki-prod.json \\"
echo "    --stack-name city-a-juki-prod --capabilities CAPABILITY_IAM --region ap-northeast-1 \\"
echo "    --parameter-overrides SecurityEmail=security@city-a.example.lg.jp Env=prod"
