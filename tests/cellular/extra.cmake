# Drives `dnt cluster` on generated sites and, when the shared data is
# present, on the Melbourne sites with the beam traffic (cluster_cli.cmake).
add_test(NAME cellular.cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/cellular-cli -DDATA=${DNT_DATA_DIR}
         -P ${CMAKE_CURRENT_LIST_DIR}/cluster_cli.cmake)
set_tests_properties(cellular.cli PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
add_test(NAME cellular.missing_cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/cellular-missing-cli -P ${CMAKE_CURRENT_LIST_DIR}/missing_cli.cmake)
set_tests_properties(cellular.missing_cli PROPERTIES TIMEOUT 300)
