# tests/app/kill_resume.cmake: a run killed with SIGKILL at random moments and
# resumed each time with --resume ends in the folder the same run makes when
# never stopped (issue 11: "kill -9 at 20 random moments across fl, rl and
# twin runs"). Run by CTest with -P; inputs DNT (the binary), WORK (scratch).
#
# kill_resume(NAME KILLS ARGS...) runs `dnt ARGS --out NAME-a` to the end and
# times it (T), then `dnt ARGS --out NAME-b` and kills it KILLS times: each
# attempt waits until it has written a new checkpoint, sleeps a seeded random
# 0.1..1.0 x T / 40 (within about one checkpoint interval when the command
# checkpoints some 30 times), sends SIGKILL, and the next attempt is
# `--resume`; the one after the last kill runs to the end. The moments repeat
# from run to run (the seed is the name and the kill's number) and T scales
# them to the machine. Then both
# folders must agree: every *.csv, *.ckpt and checkpoint.state byte for byte,
# summary.json "status" done and every metric equal but the times
# (train_seconds, steps_per_second, twin.sync_seconds, twin.forecast_seconds;
# wall_seconds is outside "metrics").
#
# term_resume(NAME ARGS...) sends SIGTERM instead, once: exit 143, summary.json
# "status": "interrupted", and `--resume` completes to NAME-a's folder (run
# kill_resume(NAME ...) first).
#
# A study joins with one line per command (fl and twin when they resume):
#   kill_resume(fl_sync 7 fl --quick --set fl.checkpoint_every=2)
# (and lower the rl kills so that the total stays the issue's 20).
# The command should run a few seconds and checkpoint some 30 times (more
# often than KILLS x 2), not in step with its evaluations, so that kills land
# between a checkpoint and the result rows written after it.
include(${CMAKE_CURRENT_LIST_DIR}/../cli_common.cmake)

function(now_ms out)
  string(TIMESTAMP t "%s%f" UTC) # seconds, then 6 digits of microseconds
  math(EXPR ms "${t} / 1000")
  set(${out} ${ms} PARENT_SCOPE)
endfunction()

# attempt(DIR DELAY_MS RESUME SIGNAL): one run into DIR, sent SIGNAL DELAY_MS
# after it wrote a checkpoint (a new checkpoint.state, told by its inode:
# each attempt gets past one, so the kills cannot outrun the run; DELAY_MS
# < 0: not stopped); `code` gets its exit status (137 when killed first).
function(attempt dir delay resume signal)
  set(args ${run_args} --quiet --out ${dir})
  if(resume)
    list(APPEND args --resume)
  endif()
  list(JOIN args "' '" quoted)
  if(delay LESS 0)
    set(kill "")
  else()
    math(EXPR s "${delay} / 1000")
    math(EXPR r "1000 + ${delay} % 1000")
    string(SUBSTRING "${r}" 1 3 r)
    set(kill "while kill -0 $pid 2>/dev/null; do i=$(stat -c %i '${dir}/checkpoint.state' 2>/dev/null); \
[ -n \"$i\" ] && [ \"$i\" != \"$i0\" ] && break; sleep 0.005; done; \
sleep ${s}.${r}; kill -${signal} $pid 2>/dev/null;")
  endif()
  execute_process(COMMAND sh -c "i0=$(stat -c %i '${dir}/checkpoint.state' 2>/dev/null); \
'${DNT}' '${quoted}' >/dev/null 2>'${dir}.err' & pid=$!; ${kill} \
wait $pid; echo $?" OUTPUT_VARIABLE out
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  set(code ${out} PARENT_SCOPE)
endfunction()

# compare(A B): the folders agree as the header says.
function(compare a b)
  file(GLOB in_a RELATIVE ${a} ${a}/*)
  file(GLOB in_b RELATIVE ${b} ${b}/*)
  list(FILTER in_a EXCLUDE REGEX "^dnt.db-")
  list(FILTER in_b EXCLUDE REGEX "^dnt.db-")
  if(NOT in_a STREQUAL in_b)
    message(FATAL_ERROR "${b} holds ${in_b}, the uninterrupted run's folder ${in_a}")
  endif()
  file(GLOB files RELATIVE ${a} ${a}/*.csv ${a}/*.ckpt ${a}/checkpoint.state)
  list(LENGTH files n)
  if(n LESS 3)
    message(FATAL_ERROR "${a}: expected CSVs, a model and a checkpoint, found ${files}")
  endif()
  foreach(f ${files})
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${a}/${f} ${b}/${f} RESULT_VARIABLE d)
    if(d)
      message(FATAL_ERROR "${b}/${f} differs from the uninterrupted run's ${a}/${f}")
    endif()
  endforeach()
  file(READ ${a}/summary.json ja)
  file(READ ${b}/summary.json jb)
  string(JSON status GET "${jb}" status)
  if(NOT status STREQUAL "done")
    message(FATAL_ERROR "${b}/summary.json: status ${status}")
  endif()
  string(JSON na LENGTH "${ja}" metrics)
  string(JSON nb LENGTH "${jb}" metrics)
  if(NOT na EQUAL nb)
    message(FATAL_ERROR "${b}/summary.json: ${nb} metrics, the uninterrupted run has ${na}")
  endif()
  math(EXPR last "${na} - 1")
  foreach(i RANGE ${last})
    string(JSON key MEMBER "${ja}" metrics ${i})
    if(key MATCHES "^(train_seconds|steps_per_second|twin\\.sync_seconds|twin\\.forecast_seconds)$")
      continue()
    endif()
    string(JSON va GET "${ja}" metrics ${key})
    string(JSON vb ERROR_VARIABLE missing GET "${jb}" metrics ${key})
    if(NOT "${va}" STREQUAL "${vb}")
      message(FATAL_ERROR "${b}/summary.json: metric ${key} = ${vb}, uninterrupted ${va}")
    endif()
  endforeach()
endfunction()

set(kills_done 0)
function(kill_resume name kills)
  set(run_args ${ARGN})
  set(a ${WORK}/${name}-a)
  set(b ${WORK}/${name}-b)
  now_ms(t0)
  attempt(${a} -1 0 KILL)
  now_ms(t1)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "dnt ${ARGN} --out ${a}: exit ${code}")
  endif()
  math(EXPR wall "${t1} - ${t0}")
  set(resume 0)
  set(k 0)
  while(k LESS kills)
    string(RANDOM LENGTH 4 ALPHABET 0123456789 RANDOM_SEED "${name}${k}" u)
    math(EXPR delay "${wall} * (1000 + 9 * (1${u} - 10000) / 10) / 10000 / 40")
    attempt(${b} ${delay} ${resume} KILL)
    if(code EQUAL 0)
      message(FATAL_ERROR "${name}: the run ended before kill ${k} of ${kills} (T = ${wall} ms)")
    elseif(NOT code EQUAL 137)
      file(READ ${b}.err err)
      message(FATAL_ERROR "${name}: attempt ${k} exited ${code}: ${err}")
    endif()
    set(resume 1)
    math(EXPR k "${k} + 1")
  endwhile()
  attempt(${b} -1 1 KILL)
  if(NOT code EQUAL 0)
    file(READ ${b}.err err)
    message(FATAL_ERROR "${name}: the last resume exited ${code}: ${err}")
  endif()
  compare(${a} ${b})
  math(EXPR total "${kills_done} + ${kills}")
  set(kills_done ${total} PARENT_SCOPE)
  set(${name}_wall ${wall} PARENT_SCOPE)
  message(STATUS "${name}: ${kills} kills (T = ${wall} ms), resumed to the uninterrupted folder")
endfunction()

function(term_resume name)
  set(run_args ${ARGN})
  set(c ${WORK}/${name}-term)
  math(EXPR delay "${${name}_wall} / 40")
  attempt(${c} ${delay} 0 TERM)
  if(NOT code EQUAL 143)
    file(READ ${c}.err err)
    message(FATAL_ERROR "${name}: SIGTERM: exit ${code}, expected 143: ${err}")
  endif()
  file(READ ${c}/summary.json j)
  string(JSON status GET "${j}" status)
  if(NOT status STREQUAL "interrupted")
    message(FATAL_ERROR "${c}/summary.json: status ${status}, expected interrupted")
  endif()
  attempt(${c} -1 1 TERM)
  if(NOT code EQUAL 0)
    file(READ ${c}.err err)
    message(FATAL_ERROR "${name}: resume after SIGTERM exited ${code}: ${err}")
  endif()
  compare(${WORK}/${name}-a ${c})
  message(STATUS "${name}: SIGTERM, exit 143, resumed to the uninterrupted folder")
endfunction()

# rl: DQN with the options that carry state (prioritised replay, dueling head,
# shield counts, PID multipliers, two instances), TD3, and DQN on the masked
# chain with three instances.
kill_resume(rl_cartpole 4 rl --quick --set rl.checkpoint_every=150 --set rl.n_envs=2
            --set dqn.prioritized=true --set dqn.dueling=true --set rl.shield_x=1.5
            --set cmdp.thresholds=0.05 --set cmdp.kind=pid)
term_resume(rl_cartpole rl --quick --set rl.checkpoint_every=150 --set rl.n_envs=2
            --set dqn.prioritized=true --set dqn.dueling=true --set rl.shield_x=1.5
            --set cmdp.thresholds=0.05 --set cmdp.kind=pid)
kill_resume(rl_pendulum 3 rl --env pendulum --quick --set rl.checkpoint_every=150)
kill_resume(rl_chain 2 rl --env chain --steps 6000 --set rl.n_envs=3 --set rl.checkpoint_every=170)
# twin: 2,000 steps of 30 BSs over a lossy, late uplink (the queue in flight,
# the loss stream), a checkpoint every 60 steps; the forecasters run once
# after the last step, briefly, so that the kills land in the stepping.
set(twin_args twin --quick --set cellular.n_bs=30 --set twin.steps=2000
    --set twin.checkpoint_every=60 --set twin.lstm.train_steps=50 --set twin.eval_stride=48
    --loss 0.2 --latency 7200)
kill_resume(twin 5 ${twin_args})
term_resume(twin ${twin_args})
# fl: the synchronous server, FedAsync, and hierarchical FedBuff (2 groups,
# synchronous rounds first), each checkpointing some 30 times.
kill_resume(fl_sync 2 fl --rounds 10000 --set fl.checkpoint_every=300)
term_resume(fl_sync fl --rounds 10000 --set fl.checkpoint_every=300)
kill_resume(fl_fedasync 2 fl --mode fedasync --rule mean --attack signflip --rounds 30000
            --set fl.checkpoint_every=1000)
kill_resume(fl_fedbuff 2 fl --mode fedbuff --rule mean --attack ipm --set fl.groups=2
            --set fl.group_rule=median --set fl.sync_rounds=3 --rounds 20000
            --set fl.checkpoint_every=600)
if(NOT kills_done EQUAL 20)
  message(FATAL_ERROR "${kills_done} kills, expected 20")
endif()
