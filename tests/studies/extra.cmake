# Drives `dnt forecast` (forecast_cli.cmake): options, refused inputs, a
# quick run on generated data and, when the shared data is present, on the
# Milan long file through --traffic.
add_test(NAME studies.forecast_cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/forecast-cli -DDATA=${DNT_DATA_DIR}
         -P ${CMAKE_CURRENT_LIST_DIR}/forecast_cli.cmake)
set_tests_properties(studies.forecast_cli PROPERTIES TIMEOUT 300)
