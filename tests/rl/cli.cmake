# Drives `dnt rl` and checks exit codes, messages and the result folder (run
# by CTest with -P). Inputs: DNT (path of the binary), WORK (scratch folder).
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

expect(0 rl --help)
expect_text(last_out "usage: dnt rl")
expect(0 rl --help-config)
expect_text(last_out "dqn.double")
expect(2 rl --env nosuch)
expect_text(last_err "--env: 'nosuch'")
expect(2 rl --algo sarsa)
expect(2 rl --env pendulum --algo dqn)
expect_text(last_err "continuous")
expect(2 rl --env cartpole --algo td3)
expect(2 rl --steps 0)
expect_text(last_err "--steps")
expect(2 rl --set dqn.lr=-1)
expect_text(last_err "dqn.lr")
file(WRITE ${WORK}/bad.json "{\"dqn\": {\"lr\": 0.001,,}}\n")
expect(1 rl --config ${WORK}/bad.json --out ${WORK}/bad)
expect_text(last_err "bad.json")

# A short run on the chain writes the result folder.
expect(0 rl --env chain --steps 3000 --quiet --out ${WORK}/chain)
expect_text(last_out "mean return")
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
expect(0 rl --env pendulum --algo ddpg --quick --quiet --out ddpg)
file(READ ${WORK}/ddpg/config.json ddpg_config)
expect_text(ddpg_config "\"policy_delay\": 1,")
expect_text(ddpg_config "\"target_noise\": 0")

# An agent setting that cannot work is refused before any result folder exists.
expect(1 rl --set dqn.buffer=10 --out badagent)
expect_text(last_err "buffer")
if(EXISTS ${WORK}/badagent)
  message(FATAL_ERROR "a refused agent config left the folder badagent behind")
endif()
