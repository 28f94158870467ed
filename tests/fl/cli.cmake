# Drives `dnt fl` on bad input and checks exit codes and messages (run by CTest
# with -P). Inputs: DNT (path of the binary), WORK (scratch folder).
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

expect(0 fl --help)
expect_text(last_out "usage: dnt fl")
expect(2 fl --rule foo)
expect_text(last_err "fl.rule.*'foo'.*krum")
expect(2 fl --attack bar)
expect_text(last_err "fl.attack.*'bar'.*fang_trim")
expect(2 fl --clients abc)
expect_text(last_err "fl.clients.*'abc'")
expect(1 fl --clients 5 --malicious 5 --out ${WORK}/m)
expect_text(last_err "fl.malicious = 5: expected fewer than fl.clients = 5")
# a rule that needs more updates than the round has: an error, no fallback
expect(1 fl --quiet --rule bulyan --set fl.f=10 --rounds 2 --out ${WORK}/b)
expect_text(last_err "'bulyan'.*f = 10 needs n >= 43 updates, got 40")
# DnC on identical updates (no attack, no noise, no spread): it crashed here
expect(0 fl --quiet --rule dnc --attack none --malicious 0 --set fl.noise=0 --set fl.hetero=0
       --rounds 3 --out ${WORK}/dnc0)
expect(0 fl --quiet --rule dnc --attack none --set fl.pre=nnm --rounds 3 --out ${WORK}/dnc1)
expect(1 fl --quiet --mode fedasync --rule krum --out ${WORK}/a)
expect_text(last_err "FedAsync.*'krum'")

# --resume: needs --out, a checkpoint, the synchronous server and one cell
expect(2 fl --resume)
expect_text(last_err "--resume needs --out")
expect(1 fl --quiet --resume --out ${WORK}/none)
expect_text(last_err "server.ckpt: cannot open")
expect(0 fl --quiet --rounds 2 --out ${WORK}/r)
expect(2 fl --quiet --rule all --attack none --resume --out ${WORK}/r)
expect_text(last_err "a table \\(all\\) has no checkpoint")
expect(2 fl --quiet --mode fedbuff --resume --out ${WORK}/r)
expect_text(last_err "fl.mode = 'fedbuff'")
expect(0 fl --quiet --rounds 3 --resume --out ${WORK}/r)
file(STRINGS ${WORK}/r/rounds.csv rows)
list(LENGTH rows n_rows)
if(NOT n_rows EQUAL 4) # header + rounds 0, 1 and the resumed round 2
  message(FATAL_ERROR "rounds.csv after --resume has ${n_rows} lines, expected 4")
endif()

# --threads trains clients in parallel; the model does not depend on it (d large
# enough for OpenBLAS to split its work: the aggregation keeps one BLAS thread)
foreach(t 1 2)
  expect(0 fl --quiet --rule geomed --attack minmax --dim 5000 --rounds 3 --threads ${t}
         --out ${WORK}/threads${t})
  file(SHA256 ${WORK}/threads${t}/server.ckpt sum${t})
endforeach()
if(NOT sum1 STREQUAL sum2)
  message(FATAL_ERROR "dnt fl --threads 2 ended with another model than --threads 1")
endif()
