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

# A malformed config file names the file and the line.
file(WRITE ${WORK}/bad.json "{\n  \"model\": {\"hidden\": 8,,}\n}\n")
expect(1 nn --config ${WORK}/bad.json --out ${WORK}/bad)
expect_text(last_err "bad.json")
expect_text(last_err "bad.json:2:")
# An unknown key names its path.
file(WRITE ${WORK}/unknown.json "{\"model\": {\"hiden\": 8}}\n")
expect(1 nn --config ${WORK}/unknown.json --out ${WORK}/unknown)
expect_text(last_err "model.hiden")
# A missing config file is a runtime error naming it.
expect(1 nn --config ${WORK}/missing.json --out ${WORK}/missing)
expect_text(last_err "missing.json")

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
expect(1 nn --print-config --config ${WORK}/bad.json --config ${WORK}/ok.json)
expect_text(last_err "bad.json:2:")
expect(2 nn --print-config --rule x)
