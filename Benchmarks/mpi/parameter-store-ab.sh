#!/bin/bash
# A/B of the 2-rank x 1-thread VGG16 step, interleaved rounds: "base" is a release build of an
# older commit (here c7ca6e6, in a worktree at /tmp/pstore-base: git worktree add /tmp/pstore-base
# c7ca6e6 && (cd /tmp/pstore-base && swift build -c release --product cifar-vgg)), "new" this checkout.
# Run from the repository root; prints each run's epoch line (img/s, allreduce window / not overlapped).
mkdir -p /tmp/pstore-ab
A="--width-multiplier 1 --train-limit 1000 --test-limit 100 --percent-val 0 --batch-size 100 --epochs 1 --decay-epochs 1 --seed 1 --no-progress"
for round in 1 2 3; do
  for method in bp dpT; do
    for which in base new; do
      if [ $which = base ]; then B=${BASE:-/tmp/pstore-base}/.build/release/cifar-vgg; else B=.build/release/cifar-vgg; fi
      out=/tmp/pstore-ab/$which-$method-$round
      rm -rf $out
      mpirun --allow-run-as-root --oversubscribe -np 2 $B --method $method $A --threads 1 --output $out > $out.log 2>&1
      echo "$which $method round $round load $(cut -d' ' -f1 /proc/loadavg): $(grep -h 'epoch 1/1' $out/train.log | sed 's/.*lr [^ ]* *//')"
    done
  done
done
