# `dnt twin` end to end on generated data and, when the shared data is
# present, on the real sites and traffic (short runs), and its usage errors.
add_test(NAME twin.cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/twin-cli -DDATA=${DNT_DATA_DIR}
         -P ${CMAKE_CURRENT_LIST_DIR}/cli.cmake)
set_tests_properties(twin.cli PROPERTIES TIMEOUT 300)
