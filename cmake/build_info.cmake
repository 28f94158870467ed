# Writes the generated build_info.h with the version and the current git
# revision (run at every build by the dnt_build_info target, so `dnt --version`
# names the commit that was built, not the one that was configured).
# configure_file rewrites the header only when its text changes, so an
# unchanged revision rebuilds nothing.
# Inputs: SRC (source dir), OUT (header path), PROJECT_VERSION.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE DNT_GIT_REV OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE git_rc)
if(NOT git_rc EQUAL 0 OR NOT DNT_GIT_REV)
  set(DNT_GIT_REV "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(dirty)
    string(APPEND DNT_GIT_REV "-dirty")
  endif()
endif()
configure_file(${SRC}/src/base/build_info.h.in ${OUT} @ONLY)
