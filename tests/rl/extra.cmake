# `dnt rl` driven from the command line (exit codes, messages, result folder).
add_test(NAME rl.cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/rl-cli -P ${CMAKE_CURRENT_LIST_DIR}/cli.cmake)
set_tests_properties(rl.cli PROPERTIES TIMEOUT 300)
