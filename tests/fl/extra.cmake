# MPI tests of the FL layer: the transport under 4 ranks, and `dnt fl` under
# mpirun giving the same final model (checkpoint bytes) as in process.
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
cmp '${dir}/mpi/server.ckpt' '${dir}/local/server.ckpt'")
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
