# Tests that drive the `dnt` command itself: exit codes, help, version, and the
# README's library example compiled against the installed headers.
add_test(NAME app.help COMMAND dnt --help)
add_test(NAME app.version COMMAND dnt --version)
set_tests_properties(app.version PROPERTIES PASS_REGULAR_EXPRESSION "^dnt [0-9]+\\.[0-9]+\\.[0-9]+ \\(git ")
add_test(NAME app.no_command COMMAND dnt)
set_tests_properties(app.no_command PROPERTIES WILL_FAIL TRUE)
add_test(NAME app.cli COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/app-cli -P ${CMAKE_CURRENT_LIST_DIR}/cli.cmake)
set_tests_properties(app.cli PROPERTIES TIMEOUT 300)

# The README's C example, between "<!-- example:begin -->" and
# "<!-- example:end -->" inside a ```c fence, is extracted at configure time,
# built against libdnt and run, so the example cannot rot.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/README.md)
file(READ ${CMAKE_SOURCE_DIR}/README.md readme_text)
string(REGEX MATCH "<!-- example:begin -->[^`]*```c\n(.*)```[^`]*<!-- example:end -->" found
       "${readme_text}")
if(NOT found)
  message(FATAL_ERROR "README.md has no C example between the example markers")
endif()
file(WRITE ${CMAKE_BINARY_DIR}/readme_example.c "${CMAKE_MATCH_1}")
add_executable(readme_example ${CMAKE_BINARY_DIR}/readme_example.c)
target_link_libraries(readme_example PRIVATE dnt_static)
add_test(NAME app.readme_example COMMAND readme_example)

# Every study: same seed, same numbers; another seed, other numbers.
add_test(NAME app.seeds COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/app-seeds -P ${CMAKE_CURRENT_LIST_DIR}/seeds.cmake)
set_tests_properties(app.seeds PROPERTIES TIMEOUT 600)

# kill -9 at 20 seeded random moments across resumable runs, each resumed:
# the folders equal the uninterrupted runs' (and a SIGTERM case); fl and twin
# join with a line each in kill_resume.cmake.
add_test(NAME app.kill_resume COMMAND ${CMAKE_COMMAND} -DDNT=$<TARGET_FILE:dnt>
         -DWORK=${CMAKE_BINARY_DIR}/app-kill-resume -P ${CMAKE_CURRENT_LIST_DIR}/kill_resume.cmake)
set_tests_properties(app.kill_resume PROPERTIES TIMEOUT 600)

# Header names match their source files (or a documented exception).
add_test(NAME app.layout COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -P
                                 ${CMAKE_CURRENT_LIST_DIR}/layout.cmake)
