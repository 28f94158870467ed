# Drives `dnt rl` and checks exit codes, messages and the result folder (run
# by CTest with -P). Inputs: DNT (path of the binary), WORK (scratch folder).
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

expect(0 rl --help)
expect_text(last_out "usage: dnt rl")
expect(0 rl --help-config)
expect_text(last_out "dqn.double")
expect(2 rl --env nosuch)
expect_text(last_err "rl.env")
expect(2 rl --algo sarsa)
# a task and an algorithm that do not fit are a config error, before any folder
expect(2 rl --env pendulum --algo dqn --out ${WORK}/mismatch)
expect_text(last_err "continuous")
if(EXISTS ${WORK}/mismatch)
  message(FATAL_ERROR "a refused config left the folder mismatch behind")
endif()
expect(2 rl --env cartpole --algo td3 --out ${WORK}/mismatch)
expect(2 rl --steps -1)
expect_text(last_err "rl.steps")
expect(2 rl --set dqn.lr=-1)
expect_text(last_err "dqn.lr")
file(WRITE ${WORK}/bad.json "{\"dqn\": {\"lr\": 0.001,,}}\n")
expect(2 rl --config ${WORK}/bad.json --out ${WORK}/bad)
expect_text(last_err "bad.json")

# A short run on the chain writes the result folder.
expect(0 rl --env chain --steps 3000 --quiet --out ${WORK}/chain)
expect_text(last_out "mean_return")
foreach(f summary.json config.json dnt.db curve.csv curve.gp policy.ckpt)
  if(NOT EXISTS ${WORK}/chain/${f})
    message(FATAL_ERROR "dnt rl did not write ${f}")
  endif()
endforeach()
file(READ ${WORK}/chain/summary.json summary)
expect_text(summary "\"mean_return\"")
expect_text(summary "\"env\": \"chain\"")
expect_text(summary "\"steps\": 3000")

# DDPG records in config.json the TD3 settings it runs with (no delay, no target noise).
# DDPG reports the TD3 settings it runs with (no delay, no target noise);
# --quick is the descriptor's overlay, recorded in config.json.
expect(0 rl --env pendulum --algo ddpg --quick --quiet --out ddpg)
file(READ ${WORK}/ddpg/summary.json ddpg_summary)
expect_text(ddpg_summary "\"policy_delay\": 1,")
expect_text(ddpg_summary "\"target_noise\": 0")
expect_text(ddpg_summary "\"steps\": 5000")
file(READ ${WORK}/ddpg/config.json ddpg_config)
expect_text(ddpg_config "\"steps\": 5000")

# An agent setting that cannot work is refused before any result folder exists.
expect(2 rl --set dqn.buffer=10 --out badagent)
expect_text(last_err "buffer")
if(EXISTS ${WORK}/badagent)
  message(FATAL_ERROR "a refused agent config left the folder badagent behind")
endif()

# --resume continues from checkpoint.state (docs/RL.md); a finished run
# resumes to the same numbers (the final evaluation is redone). A resume
# that cannot continue is refused with the reason: another config (2), a
# damaged checkpoint (3, naming it), no checkpoint (2).
expect(0 rl --env chain --steps 1000 --quiet --out ${WORK}/res)
file(READ ${WORK}/res/summary.json res_done)
string(JSON res_mean GET "${res_done}" metrics mean_return)
expect(0 rl --env chain --steps 1000 --quiet --resume --out ${WORK}/res)
file(READ ${WORK}/res/summary.json res_again)
string(JSON res_mean2 GET "${res_again}" metrics mean_return)
if(NOT res_mean STREQUAL res_mean2)
  message(FATAL_ERROR "resuming a finished run: mean_return ${res_mean2}, was ${res_mean}")
endif()
expect(2 rl --env chain --steps 2000 --quiet --resume --out ${WORK}/res)
expect_text(last_err "another config: rl.steps: 2000 here, 1000 in the folder")
execute_process(COMMAND sh -c "head -c 1000 '${WORK}/res/checkpoint.state' > '${WORK}/cut' && \
mv '${WORK}/cut' '${WORK}/res/checkpoint.state'")
expect(3 rl --env chain --steps 1000 --quiet --resume --out ${WORK}/res)
expect_text(last_err "checkpoint.state': truncated: 1000 bytes")
file(REMOVE ${WORK}/res/checkpoint.state)
expect(2 rl --env chain --steps 1000 --quiet --resume --out ${WORK}/res)
expect_text(last_err "cannot resume: no checkpoint")
