#!/bin/sh
target=$1
files=$(ls $target/*.tar)
for f in $files; do
  scp $f deploy@host:/srv/
done
cd /srv/releases
rm -rf $target/*
echo "Deployed `date`"
if [ $target == "prod" ]; then
  curl -k https://example.com/hook?token=$TOKEN
fi
