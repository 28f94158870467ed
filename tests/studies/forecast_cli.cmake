# `dnt forecast` from the command line. Inputs: DNT, WORK, DATA.
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

expect(0 forecast --help)
expect_text(last_out "--generated +--set data.generated=true")
expect_text(last_out "--traffic X +--set data.file=X")
expect(2 forecast --set forecast.methods=fedavg,fedsgd --out ${WORK}/m)
expect_text(last_err "fedsgd")
expect(2 forecast --generated --set cluster.method=spectral --out ${WORK}/c)

# A malformed traffic file is refused naming file and line; a hole longer
# than data.max_gap names the column and the rows; neither leaves a folder.
# traffic_file(NAME FIRST LAST CELL): 300 rows of two series, column b holds
# CELL at steps FIRST..LAST (line = step + 2).
function(traffic_file name first last cell)
  set(rows "date,a,b\n")
  foreach(t RANGE 0 299)
    if(t GREATER_EQUAL ${first} AND t LESS_EQUAL ${last})
      string(APPEND rows "${t},1.5,${cell}\n")
    else()
      string(APPEND rows "${t},1.5,2.5\n")
    endif()
  endforeach()
  file(WRITE ${WORK}/${name} "${rows}")
endfunction()
traffic_file(bad.csv 40 40 many)
expect(3 forecast --quiet --traffic ${WORK}/bad.csv --out ${WORK}/bad)
expect_text(last_err "bad.csv:42")
traffic_file(holes.csv 100 105 "")
expect(3 forecast --quiet --traffic ${WORK}/holes.csv --out ${WORK}/holes)
expect_text(last_err "'b'.*lines 102-107")
foreach(d bad holes m c)
  if(EXISTS ${WORK}/${d})
    message(FATAL_ERROR "a refused run left the folder ${d}")
  endif()
endforeach()

# Generated planted clusters, the baselines only: the folder and its tables.
expect(0 forecast --quiet --quick --generated --set forecast.methods=persistence,linear_ar
       --out ${WORK}/gen)
foreach(f summary.json config.json per_bs.csv curves.csv forecast.csv)
  if(NOT EXISTS ${WORK}/gen/${f})
    message(FATAL_ERROR "dnt forecast wrote no ${f}")
  endif()
endforeach()
expect_text(last_out "linear_ar_nrmse")

# Any traffic format: the Milan long CSV (6 squares, 10-minute steps).
set(milan ${DATA}/traffic/milan_6cells_internet_2013-11-01.csv)
if(EXISTS ${milan})
  expect(0 forecast --quiet --quick --traffic ${milan} --set model.closeness=6
         --set model.period=0 --set baseline.season=6 --set fl.rounds=2 --set fl.sync_rounds=1
         --out ${WORK}/milan)
  expect_text(last_out "clustered_sync_async_nrmse")
endif()

# The same numbers on 1 and 2 threads (clients train on the population's
# threads, local_only through dnt_seq_train_many).
foreach(t 1 2)
  expect(0 forecast --quiet --quick --generated --threads ${t}
         --set forecast.methods=local_only,clustered_sync_async,async_only --out ${WORK}/t${t})
endforeach()
file(READ ${WORK}/t1/per_bs.csv t1)
file(READ ${WORK}/t2/per_bs.csv t2)
if(NOT t1 STREQUAL t2)
  message(FATAL_ERROR "per_bs.csv differs between 1 and 2 threads")
endif()
