# Drives `dnt` and checks exit codes and messages (run by CTest with -P).
# Inputs: DNT (path of the binary), WORK (scratch folder).
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

expect(2 nosuchcommand)
expect_text(last_err "unknown command 'nosuchcommand'")
expect(2 nn --nosuchoption)
expect(2 nn --seed abc)
expect_text(last_err "--seed: 'abc'")
expect(2 nn --threads 0)
expect(0 nn --help)
expect_text(last_out "usage: dnt nn")
expect(0 nn --help-config)
expect_text(last_out "model.hidden")
expect(2 nn --set model.hidden=-3)
expect_text(last_err "model.hidden")
expect(2 nn --set no.such.key=1)

# A malformed config file names the file and the line; like every config
# error (file or --set) it exits 2 and leaves no folder behind.
file(WRITE ${WORK}/bad.json "{\n  \"model\": {\"hidden\": 8,,}\n}\n")
expect(2 nn --config ${WORK}/bad.json --out ${WORK}/bad)
expect_text(last_err "bad.json")
expect_text(last_err "bad.json:2:")
# An unknown key names its path.
file(WRITE ${WORK}/unknown.json "{\"model\": {\"hiden\": 8}}\n")
expect(2 nn --config ${WORK}/unknown.json --out ${WORK}/unknown)
expect_text(last_err "model.hiden")
# A missing config file is an error naming it.
expect(2 nn --config ${WORK}/missing.json --out ${WORK}/missing)
expect_text(last_err "missing.json")
foreach(d bad unknown missing)
  if(EXISTS ${WORK}/${d})
    message(FATAL_ERROR "a config error left the folder ${d}")
  endif()
endforeach()
# A data file the user names and that cannot be read is bad input (3), not
# generated data; a file that is not a series likewise; nothing is left.
expect(3 nn --quiet --set data.file=${WORK}/typo.csv --out ${WORK}/typo)
expect_text(last_err "typo.csv")
file(WRITE ${WORK}/words.csv "V-0\n1\n2\nthree\n")
expect(3 nn --quiet --set data.file=${WORK}/words.csv --out ${WORK}/words)
expect_text(last_err "words.csv:4")
foreach(d typo words)
  if(EXISTS ${WORK}/${d})
    message(FATAL_ERROR "a data error left the folder ${d}")
  endif()
endforeach()

# A quick run on generated data writes the result folder.
expect(0 nn --quick --quiet --set data.file= --set train.epochs=10 --out ${WORK}/quick)
foreach(f summary.json config.json dnt.db forecast.csv forecast.gp model.ckpt)
  if(NOT EXISTS ${WORK}/quick/${f})
    message(FATAL_ERROR "dnt nn --quick did not write ${f}")
  endif()
endforeach()
file(READ ${WORK}/quick/summary.json summary)
expect_text(summary "\"lstm_rmse\"")
expect_text(summary "\"seed\": 1")

# The study driver: --print-config shows the effective config (the --quick
# preset, then every --config in order, then --set); each --config is checked.
expect(0 nn --print-config --quick)
expect_text(last_out "\"epochs\": 8")
file(WRITE ${WORK}/ok.json "{\"model\": {\"hidden\": 9}}\n")
file(WRITE ${WORK}/ok2.json "{\"model\": {\"layers\": 2}}\n")
expect(0 nn --print-config --config ${WORK}/ok.json --config ${WORK}/ok2.json --set model.layers=3)
expect_text(last_out "\"hidden\": 9")
expect_text(last_out "\"layers\": 3")
expect(2 nn --print-config --config ${WORK}/bad.json --config ${WORK}/ok.json)
expect_text(last_err "bad.json:2:")
expect(2 nn --print-config --rule x)

# A result folder holds one run: a second run into it is refused naming what
# is there (2), --force empties it (a result folder only), --resume needs a
# study that can resume.
expect(2 nn --quick --quiet --set data.file= --out ${WORK}/quick)
expect_text(last_err "summary.json")
expect_text(last_err "--force")
file(WRITE ${WORK}/quick/stray.txt "x")
expect(0 nn --quick --quiet --force --set data.file= --set train.epochs=3 --out ${WORK}/quick)
if(EXISTS ${WORK}/quick/stray.txt)
  message(FATAL_ERROR "--force left the earlier run's files")
endif()
file(MAKE_DIRECTORY ${WORK}/notrun)
file(WRITE ${WORK}/notrun/thesis.tex "x")
expect(2 nn --quick --quiet --force --set data.file= --out ${WORK}/notrun)
expect_text(last_err "not a dnt result folder")
expect(2 nn --resume --out ${WORK}/quick)
expect(2 run --set no.such.key=1)
expect(2 run --config ${WORK}/ok.json)
expect(0 --help)
expect_text(last_out "3 bad input data")
# A key set twice warns with both values; the last one counts.
expect(0 nn --print-config --set model.hidden=5 --set model.hidden=7)
expect_text(last_err "model.hidden given twice: '5', then '7'")
expect_text(last_out "\"hidden\": 7")

# SIGTERM stops a run at its next step boundary: exit 143, summary.json with
# "status": "interrupted". (The shell waits until the folder exists, so the
# signal arrives during the run, not before the handlers are installed.)
execute_process(
  COMMAND sh -c "'${DNT}' nn --quiet --set data.file= --set train.epochs=10000 --set train.patience=0 --out '${WORK}/term' & pid=$!; \
for i in $(seq 1 300); do [ -f '${WORK}/term/dnt.db' ] && break; sleep 0.05; done; sleep 0.3; \
kill -TERM $pid; wait $pid; echo rc=$?"
  OUTPUT_VARIABLE term_out ERROR_VARIABLE term_err)
expect_text(term_out "rc=143")
expect_text(term_err "stopped after [0-9]+ of 10000 epochs")
file(READ ${WORK}/term/summary.json term_summary)
expect_text(term_summary "\"status\": \"interrupted\"")
