# tests/cli_common.cmake: what every test that drives `dnt` shares (included by
# tests/<layer>/*cli.cmake, run by CTest with -P). Inputs: DNT (the binary) and
# WORK (a scratch folder, emptied here).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# expect(CODE ARGS...): runs `dnt ARGS...` in WORK and fails unless it exits
# with CODE; leaves its stdout and stderr in last_out and last_err.
function(expect code)
  execute_process(COMMAND ${DNT} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
  if(NOT rc STREQUAL "${code}")
    message(FATAL_ERROR "dnt ${ARGN}: exit ${rc}, expected ${code}\nstdout: ${out}\nstderr: ${err}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
  set(last_err "${err}" PARENT_SCOPE)
endfunction()

# expect_text(VAR REGEX): fails unless the variable's text matches.
function(expect_text var pattern)
  if(NOT "${${var}}" MATCHES "${pattern}")
    message(FATAL_ERROR "expected '${pattern}' in ${var}: ${${var}}")
  endif()
endfunction()
