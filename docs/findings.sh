#!/usr/bin/env bash
# Regenerates docs/findings.md: the paper's pipeline (`salient-cli pipeline`, default options)
# on the five real tasks of ../shared/data (stories260K activations), one table of findings and
# the checks against the paper's expectations. Every number in docs/findings.md comes from here.
#
# Usage: docs/findings.sh [--quick] [--cli PATH] [--data DIR] [--out FILE] [--work DIR]
#   --quick      a reduced setting (1 epoch, 2 seeds, a 2 × 1 grid, fewer sizes) that only proves
#                the script still runs end to end and writes a complete table (CI runs it);
#                its numbers are not findings
#   --cli PATH   salient-cli to run (default: build/app/salient-cli)
#   --data DIR   the shared data folder (default: ../shared/data beside the repository)
#   --out FILE   where to write the Markdown (default: docs/findings.md; with --quick a file in
#                the work folder)
#   --work DIR   where the pipelines write their results (default: a temporary folder)
# Needs jq. Exit codes: 0 written, 2 usage error, 77 the data folder is absent (skipped).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cli="$repo/build/app/salient-cli"
data="$repo/../shared/data"
out=""
work=""
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --cli) cli=$2; shift ;;
    --data) data=$2; shift ;;
    --out) out=$2; shift ;;
    --work) work=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "findings.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v jq >/dev/null || { echo "findings.sh: jq is required (packaging/install-deps.sh installs it)" >&2; exit 2; }
[ -x "$cli" ] || { echo "findings.sh: $cli is not an executable salient-cli (build first or pass --cli)" >&2; exit 2; }
if [ ! -f "$data/ptb_pos.train.words.txt" ]; then
  echo "findings.sh: SKIPPED — the shared data folder $data is absent" >&2
  exit 77
fi
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
if [ -z "$out" ]; then
  if [ $quick = 1 ]; then out="$work/findings.md"; else out="$repo/docs/findings.md"; fi
fi

# task  corpus-of-the-activation-files
tasks=(ptb_suffix:ptb ptb_pos:ptb conll2000_chunk:conll2000 ud_ewt_upos:ud_ewt ud_ewt_deprel:ud_ewt)
extra=()
if [ $quick = 1 ]; then
  extra=(--epochs 1 --seeds 2 --l1-values 0,0.001 --l2-values 0 --sizes 0.05,0.1
         --fractions 0.05,0.1,0.5)
fi

pipeline() { # task corpus dir [extra options...]
  local t=$1 c=$2 dir=$3; shift 3
  local args=()
  for s in train dev test; do
    args+=(--$s-activations "$data/stories260K.$c.$s.hdf5" --$s-tokens "$data/$t.$s.words.txt"
           --$s-labels "$data/$t.$s.labels.txt")
  done
  "$cli" pipeline "${args[@]}" --out "$dir" "$@" >"$dir.log" 2>&1 ||
    { echo "findings.sh: pipeline on $t failed; its log:" >&2; cat "$dir.log" >&2; exit 1; }
}

for tc in "${tasks[@]}"; do
  t=${tc%%:*}; c=${tc##*:}
  echo "findings.sh: $t ..." >&2
  start=$(date +%s)
  pipeline "$t" "$c" "$work/$t" "${extra[@]}"
  echo "findings.sh: $t done in $(( $(date +%s) - start )) s" >&2
done

# --- the table -------------------------------------------------------------------------------
j() { jq -r "$2" "$work/$1"; }
pts() { awk -v x="$1" 'BEGIN { if (x == "null" || x == "") print "—"; else printf "%.1f", 100 * x }'; }
pm() { # mean sd → "88.3 ± 0.4" (points)
  awk -v m="$1" -v s="$2" 'BEGIN { if (m == "null") { print "—"; exit }
    if (s == "null" || s == "") printf "%.1f", 100 * m; else printf "%.1f ± %.1f", 100 * m, 100 * s }'
}
verdict() { if [ "$1" = 1 ]; then echo "as expected"; else echo "**departs**"; fi; }
num() { # x decimals → fixed notation, "—" for null, never "-0.0"
  awk -v x="$1" -v d="${2:-2}" 'BEGIN { if (x == "null" || x == "") { print "—"; exit }
    v = sprintf("%.*f", d, x); if (v ~ /^-0\.?0*$/) v = substr(v, 2); print v }'
}

rows=""
checks=""
paperrows=""
declare -A meanlayer
for tc in "${tasks[@]}"; do
  t=${tc%%:*}
  g="$t/grid-search.json"; p="$t/probe.json"; m="$t/minimal-subset.json"; a="$t/ablation.json"
  s="$t/selectivity.json"; l="$t/layerwise.json"
  neurons=$(j "$p" '.layout.dims * (.layout.layer_ids | length)')
  maj=$(j "$p" '.dev.majority_accuracy')
  lam="$(j "$g" '.best_l1'), $(j "$g" '.best_l2')"
  cost="$(num "$(j "$g" '.cost_vs_best_points')" 1) / $(num "$(j "$g" '.cost_vs_zero_points')" 1)"
  oracle=$(pm "$(j "$p" '.dev.accuracy_seeds.mean // .dev.accuracy')" "$(j "$p" '.dev.accuracy_seeds.sd')")
  size=$(j "$m" '.size_seeds.median // .size')
  smin=$(j "$m" '.size_seeds.min // .size'); smax=$(j "$m" '.size_seeds.max // .size')
  subset="$(num "$size" 0) ($(num "$smin" 0)–$(num "$smax" 0)), $(awk -v a="$size" -v n="$neurons" 'BEGIN { printf "%.0f %%", 100 * a / n }')"
  # masking ablation at the size closest to 10 % of the neurons, mean over the repetitions
  ai=$(j "$a" "[.sizes | to_entries[] | {i: .key, d: ((.value - $neurons / 10) | fabs)}] | min_by(.d) | .i")
  asz=$(j "$a" ".sizes[$ai]")
  top=$(j "$a" "(.curves.masking.top_mean // .curves.masking.top)[$ai]")
  rnd=$(j "$a" ".curves.masking.random[$ai]")
  bot=$(j "$a" "(.curves.masking.bottom_mean // .curves.masking.bottom)[$ai]")
  abl="$(pts "$top") / $(pts "$rnd") / $(pts "$bot") (n = $asz)"
  rtop=$(j "$a" "(.curves.retraining.top_mean // .curves.retraining.top)[$ai]")
  rrnd=$(j "$a" ".curves.retraining.random[$ai]")
  rbot=$(j "$a" "(.curves.retraining.bottom_mean // .curves.retraining.bottom)[$ai]")
  rabl="$(pts "$rtop") / $(pts "$rrnd") / $(pts "$rbot")"
  sel=$(pm "$(j "$s" '.selectivity_seeds.mean // .selectivity')" "$(j "$s" '.selectivity_seeds.sd')")
  best=$(j "$l" '.best_independent_layer')
  ml=$(j "$p" '.stability.mean_layer_seeds.mean // .layer_distribution.mean_layer')
  mls=$(j "$p" '.stability.mean_layer_seeds.sd')
  meanlayer[$t]=$ml
  jac=$(num "$(j "$p" '.stability.mean_jaccard')")
  sc="$(num "$(j "$p" '.standardize_comparison.jaccard')") ($(num "$(j "$p" '.standardize_comparison.mean_layer_flipped')"))"
  rows+="| $t | $(pts "$maj") | $lam | $cost | $oracle | $subset | $abl | $rabl | $sel | $best | $(num "$ml") ± $(num "$mls") | $jac | $sc |"$'\n'
  tr=$(awk -v a="$top" -v b="$rnd" -v c="$bot" 'BEGIN { print (a > b && b > c) ? 1 : 0 }')
  rtr=$(awk -v a="$rtop" -v b="$rrnd" -v c="$rbot" 'BEGIN { print (a > b && b > c) ? 1 : 0 }')
  sp=$(awk -v x="$(j "$s" '.selectivity_seeds.mean // .selectivity')" 'BEGIN { print (x > 0) ? 1 : 0 }')
  sm=$(awk -v a="$size" -v n="$neurons" 'BEGIN { print (a / n <= 0.2) ? 1 : 0 }')
  checks+="| $t | $(verdict "$tr") | $(verdict "$rtr") | $(verdict "$sp") | $(verdict "$sm") |"$'\n'
  # The paper's rule on the same cells (highest score over every cell, ties: first).
  paper=$(j "$g" '[.cells[] | select(.done != false)] as $c | ($c | max_by(.full) | .full) as $b
    | ($c | reduce .[] as $x (null; if . == null or $x.score > .score then $x else . end))
    | "\(.l1), \(.l2)|\(.full)|\(($b - .full) * 100)"')
  IFS='|' read -r plam pfull pcost <<<"$paper"
  gfull=$(j "$g" '.cells[.best].full')
  paperrows+="| $t | $plam | $(pts "$pfull") | $(num "$pcost" 1) | $lam | $(pts "$gfull") |"$'\n'
done
lexlow=$(awk -v s="${meanlayer[ptb_suffix]}" -v c="${meanlayer[conll2000_chunk]}" -v d="${meanlayer[ud_ewt_deprel]}" \
  'BEGIN { print (s < c && s < d) ? "as expected" : "**departs**" }')

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
# The findings file itself does not make the code "modified".
git -C "$repo" diff --quiet HEAD -- . ':!docs/findings.md' 2>/dev/null || commit+=" (modified)"
setting="the defaults of \`salient-cli pipeline\`"
[ $quick = 1 ] && setting="the REDUCED --quick setting (${extra[*]}): not findings"
{
  echo "# Findings on the shared data (generated)"
  echo
  echo "Generated by \`docs/findings.sh\` from $setting, Salient $commit, on the five tasks"
  echo "of ../shared/data (stories260K: 6 layers × 64 = 384 neurons; train / dev / test as in its"
  echo "README). Do not edit by hand: run \`docs/findings.sh\` (about two minutes on 2 cores)."
  echo "Accuracies are on dev, in points (%), mean ± sample sd over the pipeline's seeds where the"
  echo "analysis repeats; docs/method.md defines every quantity."
  echo
  echo "| task | majority | λ1, λ2 chosen | cost vs best cell / vs λ = 0 (points) | oracle dev | minimal subset: size median (range), share | masking top / random / bottom | retraining top / random / bottom | selectivity | best layer | top-k mean layer | top-k Jaccard across seeds | standardised vs raw: Jaccard (mean layer) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows"
  echo
  echo "## Against the paper's expectations"
  echo
  echo "- Lexical information lower than syntactic (the suffix task's top neurons below those of"
  echo "  chunking and dependency relations): mean layers suffix $(num "${meanlayer[ptb_suffix]}"),"
  echo "  chunk $(num "${meanlayer[conll2000_chunk]}"), deprel $(num "${meanlayer[ud_ewt_deprel]}"),"
  echo "  POS $(num "${meanlayer[ptb_pos]}"), UPOS $(num "${meanlayer[ud_ewt_upos]}"): $lexlow."
  echo "- Per task, at the ablation size closest to 10 % of the neurons (mean over the seeds):"
  echo
  echo "| task | top > random > bottom, masking (~10 %) | the same, retraining | selectivity > 0 | minimal subset ≤ 20 % of the neurons |"
  echo "|---|---|---|---|---|"
  printf '%s' "$checks"
  echo
  echo "## The paper's grid rule on the same grid"
  echo
  echo "The paper's Algorithm 2 maximises 0.5·A_full + 0.5·(A_top − A_random) over every cell"
  echo "(\`--selection paper\`); the default guarded rule lets only cells within 1 point of the most"
  echo "accurate cell compete (docs/method.md). Same cells, dev accuracy in points:"
  echo
  echo "| task | paper rule: λ1, λ2 | its A_full | its cost vs the best cell | guarded: λ1, λ2 | its A_full |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$paperrows"
} >"$out.tmp"
if grep -q 'null\|nan' "$out.tmp" || grep '^| [a-z]' "$out.tmp" | grep -q '—'; then
  echo "findings.sh: a number is missing in the table (see $out.tmp); the result keys changed?" >&2
  exit 1
fi
mv "$out.tmp" "$out"
echo "findings.sh: wrote $out" >&2
