# The missing-value policy of the traffic readers through the commands that
# read traffic (docs/DATA.md, "Missing values"): a short gap is filled and
# counted in summary.json, a long one fails naming file, column and rows, and
# data.missing=drop leaves the series out and says so.
# Inputs: DNT (path of the binary), WORK (scratch folder).
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

# write_traffic(FILE ROWS GAP...): a wide hourly CSV, columns c0, c1, c2, with
# an empty cell at every "column:row" of GAP (rows 0-based; line = row + 2).
function(write_traffic file rows)
  set(gaps ${ARGN})
  set(text "date,c0,c1,c2\n")
  math(EXPR last "${rows} - 1")
  foreach(t RANGE ${last})
    set(line "${t}")
    foreach(c 0 1 2)
      math(EXPR v "10 + (${t} * 5 + ${c} * 7) % 24")
      list(FIND gaps "${c}:${t}" at)
      if(NOT at EQUAL -1)
        set(v "")
      endif()
      string(APPEND line ",${v}")
    endforeach()
    string(APPEND text "${line}\n")
  endforeach()
  file(WRITE ${file} "${text}")
endfunction()

# summary_metric(DIR KEY OUTVAR): metrics.KEY of DIR/summary.json.
function(summary_metric dir key out)
  file(READ ${WORK}/${dir}/summary.json summary)
  string(JSON v GET "${summary}" metrics ${key})
  set(${out} "${v}" PARENT_SCOPE)
endfunction()

write_traffic(${WORK}/gap2.csv 240 0:100 0:101 1:7)
write_traffic(${WORK}/gap5.csv 240 0:100 0:101 0:102 0:103 0:104 1:7)

# ---- dnt nn (one series: data.column; the other columns are not read) ----
set(nn_fast --quick --quiet --set train.epochs=1 --set model.hidden=4)
expect(0 nn ${nn_fast} --set data.file=gap2.csv --set data.column=c0 --out nn2)
summary_metric(nn2 data_filled filled)
summary_metric(nn2 data_filled_series by_series)
if(NOT filled EQUAL 2 OR NOT by_series MATCHES "\"c0\" *: *2")
  message(FATAL_ERROR "nn: data_filled ${filled}, data_filled_series ${by_series}")
endif()
expect_text(last_err "gap2.csv: column 'c0': 2 missing value\\(s\\) filled")
expect(3 nn ${nn_fast} --set data.file=gap5.csv --set data.column=c0 --out nn5)
expect_text(last_err "gap5.csv: column 'c0': 5 missing value\\(s\\) in a row at lines 102-106")
# the gap lies in c0 only: forecasting c1 reads (and fills) c1 alone
expect(0 nn ${nn_fast} --set data.file=gap5.csv --set data.column=c1 --out nn5c1)
summary_metric(nn5c1 data_filled filled)
if(NOT filled EQUAL 1)
  message(FATAL_ERROR "nn on c1: data_filled ${filled}, expected 1")
endif()
# drop leaves the one series out: nothing to forecast, said with the rows
expect(3 nn ${nn_fast} --set data.file=gap5.csv --set data.column=c0 --set data.missing=drop
       --out nn5drop)
expect_text(last_err "every series \\(1\\) was left out.*column 'c0'.*lines 102-106")
expect(0 nn ${nn_fast} --set data.file=gap5.csv --set data.column=c0 --set data.max_gap=5
       --out nn5gap)
summary_metric(nn5gap data_filled filled)
if(NOT filled EQUAL 5)
  message(FATAL_ERROR "nn with data.max_gap=5: data_filled ${filled}, expected 5")
endif()
expect(2 nn --set data.missing=zero --out bad)
# the series is read before the result folder exists: a failed read leaves none
foreach(d nn5 nn5drop bad)
  if(EXISTS ${WORK}/${d})
    message(FATAL_ERROR "a data error left the folder ${d}")
  endif()
endforeach()

# ---- dnt twin and dnt cluster (every series: each BS replays one) ----
# check_counts(DIR FILLED DROPPED_JSON): data_filled and data_dropped_series.
function(check_counts dir filled dropped)
  summary_metric(${dir} data_filled f)
  summary_metric(${dir} data_dropped_series d)
  string(REGEX REPLACE "[ \n]" "" d "${d}")
  if(NOT f EQUAL ${filled} OR NOT d STREQUAL "${dropped}")
    message(FATAL_ERROR "${dir}: data_filled ${f}, data_dropped_series ${d}; "
                        "expected ${filled}, ${dropped}")
  endif()
endfunction()

set(twin_fast --quick --quiet --set cellular.n_bs=6 --set twin.steps=120
    --set twin.lstm.train_steps=20)
set(cluster_fast --quiet --set cellular.n_bs=6)
foreach(cmd twin cluster)
  expect(0 ${cmd} ${${cmd}_fast} --traffic gap2.csv --out ${cmd}2)
  check_counts(${cmd}2 3 "[]")
  expect_text(last_err "gap2.csv: column 'c0': 2 missing value\\(s\\) filled")
  # read in the check, before the result folder exists: bad input (3), no folder
  expect(3 ${cmd} ${${cmd}_fast} --traffic gap5.csv --out ${cmd}5)
  expect_text(last_err "gap5.csv: column 'c0': 5 missing value\\(s\\) in a row at lines 102-106")
  if(EXISTS ${WORK}/${cmd}5)
    message(FATAL_ERROR "${cmd}: a data error left the folder ${cmd}5")
  endif()
  expect(0 ${cmd} ${${cmd}_fast} --traffic gap5.csv --set data.missing=drop --out ${cmd}5drop)
  check_counts(${cmd}5drop 1 "[\"c0\"]")
  expect_text(last_err "column 'c0': 5 missing value\\(s\\).*series left out")
endforeach()
