# Tests that drive `dnt fl`: the rules x attacks table (5 seeds a cell, the
# honest column, mean under scaling diverged on every seed, precision empty
# where nothing was flagged) and its heatmap script. (--resume after kills:
# tests/app/kill_resume.cmake and tests/studies/test_fl.c.)
set(fl_dir ${CMAKE_BINARY_DIR}/fl_cmd)
add_test(NAME fl.cmd_table
         COMMAND sh -c "rm -rf '${fl_dir}/table' && \
'$<TARGET_FILE:dnt>' fl --quiet --rule all --attack all --rounds 5 --out '${fl_dir}/table' && \
test $(wc -l < '${fl_dir}/table/table.csv') -eq 133 && \
grep -q '^mean,scaling,,,5,5,,0,-1$' '${fl_dir}/table/table.csv' && \
grep -q '^krum,honest,[0-9.]*,[0-9.e-]*,5,0,' '${fl_dir}/table/table.csv' && \
grep -q '^mean,none,[0-9.]*,[0-9.e-]*,5,0,,0,' '${fl_dir}/table/table.csv' && \
test -s '${fl_dir}/table/heatmap.gp' && grep -q 'final_error.krum.lie' '${fl_dir}/table/summary.json'")
set_tests_properties(fl.cmd_table PROPERTIES TIMEOUT 300)
# `dnt fl` on bad input: exit codes and messages (cli.cmake).
add_test(NAME fl.cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/fl-cli -P ${CMAKE_CURRENT_LIST_DIR}/cli.cmake)
set_tests_properties(fl.cli PROPERTIES TIMEOUT 300)

# MPI tests of the FL layer: the transport under 4 ranks, and `dnt fl` under
# mpirun giving the same rounds and final state (checkpoint bytes) as in
# process, with nothing written by the client ranks.
# --allow-run-as-root because CI runs as root; --oversubscribe for 2 cores.
if(DNT_MPI AND MPI_C_FOUND)
  find_program(DNT_MPIRUN NAMES mpirun mpiexec)
  if(DNT_MPIRUN)
    set(DNT_MPIRUN_ARGS --oversubscribe --allow-run-as-root -np 4)
    add_test(NAME fl.server_mpi_np4
             COMMAND ${DNT_MPIRUN} ${DNT_MPIRUN_ARGS} $<TARGET_FILE:test_fl_server_mpi>)
    set(dir ${CMAKE_BINARY_DIR}/fl_mpi_cmd)
    string(JOIN " " mpi_args ${DNT_MPIRUN_ARGS})
    add_test(NAME fl.cmd_mpi_np4
             COMMAND sh -c "rm -rf '${dir}' && \
${DNT_MPIRUN} ${mpi_args} '$<TARGET_FILE:dnt>' fl --quiet --rule cclip --attack fang_trim --out '${dir}/mpi' && \
'$<TARGET_FILE:dnt>' fl --quiet --rule cclip --attack fang_trim --out '${dir}/local' && \
cmp '${dir}/mpi/checkpoint.state' '${dir}/local/checkpoint.state' && \
cmp '${dir}/mpi/rounds.csv' '${dir}/local/rounds.csv' && test $(ls '${dir}' | wc -l) -eq 2")
    set(env "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
    if(DNT_SANITIZE)
      # OpenMPI's own start-up allocations (libmpi, hwloc, plugins it dlcloses,
      # so not even suppressible by name) are never freed: LeakSanitizer is
      # off for these two tests only; AddressSanitizer and UBSan stay on, and
      # fl.server_mpi checks the transport's own memory without MPI.
      list(APPEND env "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
    endif()
    set_tests_properties(fl.server_mpi_np4 fl.cmd_mpi_np4 PROPERTIES TIMEOUT 300
                         ENVIRONMENT "${env}")
  endif()
endif()

# fl.workspace counts the library's allocations during rounds: its program
# routes malloc, calloc and realloc through counters (GNU ld's --wrap).
target_link_options(test_fl_workspace PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc
                    -Wl,--wrap=realloc)
