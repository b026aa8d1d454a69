#include "watch/controller.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <optional>
#include <random>
#include <thread>

#include "swarmop/clients/counting_couchbase_client.hpp"
#include "swarmop/clients/counting_docker_client.hpp"
#include "swarmop/clients/counting_rabbitmq_client.hpp"
#include "swarmop/clients/docker_event_watcher.hpp"
#include "swarmop/reconcilers/swarm_io.hpp"
#include "watch/desired_source.hpp"
#include "watch/file_watch.hpp"
#include "watch/http_endpoints.hpp"
#include "watch/removal_settle.hpp"

namespace swarmop::watch {

namespace asio = boost::asio;

std::string controller_identity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + "-" + std::to_string(getpid()) + "-" +
         std::to_string(random() % 100000);
}

struct Controller::Impl {
  Impl(ControllerOptions given_options, ControllerClients given_clients, WatchLog given_log)
      : options(std::move(given_options)),
        clients(std::move(given_clients)),
        log(std::move(given_log)),
        counted_docker(this->clients.docker),
        source(this->options.file, this->options.file_stable),
        queue(controller::reconciler_names(), this->options.backoff),
        board(controller::reconciler_names()),
        lease(this->clients.lease_docker ? *this->clients.lease_docker : counted_docker,
              this->options.lease),
        wake(loop),
        resync(loop),
        lease_timer(loop),
        heartbeat(loop),
        grace(loop),
        reread(loop),
        signals(loop) {
    if (this->clients.couchbase != nullptr) {
      counted_couchbase.emplace(*this->clients.couchbase);
    }
    if (this->clients.rabbit != nullptr) {
      counted_rabbit.emplace(*this->clients.rabbit);
    }
  }

  // --- the desired state --------------------------------------------------------------------
  void reload_file(const char* why) {
    const bool was_invalid = !source.errors().empty();
    const auto outcome = source.reload();
    if (outcome == DesiredSource::Reload::kSettling) {
      read_again_when_settled(why);
      return;
    }
    took(outcome, why, was_invalid);
  }

  //! New content is read again once it has had `file_stable` to hold still; a write that
  //! lands meanwhile restarts the wait (reload() sees other bytes).
  void read_again_when_settled(const char* why) {
    const auto at = source.settles_at();
    if (!at) {
      return;
    }
    log.debug("desired-state-settling", {{"file", source.path()}, {"trigger", why}});
    reread.expires_at(*at);
    reread.async_wait([this, why](const boost::system::error_code& error) {
      if (!error && !stopping) {
        reload_file(why);
      }
    });
  }

  //! Publishes and logs the outcome of a read that is not (or no longer) settling.
  void took(DesiredSource::Reload outcome, const char* why, bool was_invalid) {
    const auto errors = source.errors();
    board.set_desired(source.path(), source.revision(), errors, source.load_errors());
    if (outcome == DesiredSource::Reload::kInvalid) {
      for (const auto& error : errors) {
        log.error("desired-state-invalid",
                  {{"file", source.path()}, {"error", error}, {"kept", source.revision()}});
      }
      return;
    }
    const bool changed = outcome == DesiredSource::Reload::kChanged;
    if (changed || (was_invalid && errors.empty())) {
      log.info("desired-state-loaded",
               {{"file", source.path()}, {"revision", source.revision()}, {"trigger", why}});
    }
    if (changed) {
      queue.trigger_all(Clock::now());
      dispatch();
    }
  }

  //! The first read: its content is as new as any, so it too must hold still before it is
  //! taken. The loop does not run yet, so the wait is here.
  void load_at_start() {
    auto outcome = source.reload();
    while (outcome == DesiredSource::Reload::kSettling) {
      std::this_thread::sleep_until(*source.settles_at());
      outcome = source.reload();
    }
    took(outcome, "start", false);
  }

  void on_file_watch_notice(FileWatch::Notice notice, const std::string& detail) {
    if (notice == FileWatch::Notice::kLost) {
      log.warn("file-watch-lost", {{"file", source.path()},
                                   {"error", detail},
                                   {"retry", "until the directory is back"},
                                   {"fallback", "resync timer"}});
    } else {
      log.info("file-watch-rearmed", {{"file", source.path()}, {"directory", detail}});
    }
  }

  // --- passes -------------------------------------------------------------------------------
  void dispatch() {
    if (stopping) {
      return;
    }
    const auto now = Clock::now();
    for (const auto& name : queue.take_due(now)) {
      asio::post(pool, [this, name] {
        auto record = run_pass(name);
        asio::post(loop, [this, record = std::move(record)] { finished(record); });
      });
    }
    board.set_queue_depth(queue.depth());
    if (const auto next = queue.next_due()) {
      wake.expires_at(*next);
      wake.async_wait([this](const boost::system::error_code& error) {
        if (!error) {
          dispatch();
        }
      });
    }
  }

  PassRecord run_pass(const std::string& name) {
    PassRecord record;
    record.reconciler = name;
    const auto started = Clock::now();
    const auto desired = source.current();
    controller::ClusterClients cluster{counted_docker, clients.engines,
                                       counted_rabbit ? &*counted_rabbit : nullptr,
                                       counted_couchbase ? &*counted_couchbase : nullptr};
    auto observed = reconcilers::observe_swarm(counted_docker, *desired, clients.engines);
    if (!observed) {
      record.error = observed.error();
      record.duration = Clock::now() - started;
      return record;
    }
    auto swarm = std::make_shared<const reconcilers::SwarmObservation>(std::move(*observed));
    auto plans = controller::plan_reconcilers(*desired, cluster, swarm, name);
    if (plans.empty()) {
      record.outcome = PassOutcome::kInSync;  // the file has no section for it
      record.report = model::PlanReport{name, {}, {}, {}, {}};
      record.duration = Clock::now() - started;
      return record;
    }
    auto& plan = plans.front();
    if (plan.failure) {
      record.error = *plan.failure;  // refused credentials: a failed pass, not a blocked one
      record.duration = Clock::now() - started;
      return record;
    }
    record.report = plan.report;
    if (!plan.next) {
      record.outcome = plan.waiting   ? PassOutcome::kWaiting
                       : plan.blocked ? PassOutcome::kBlocked
                                      : PassOutcome::kInSync;
    } else if (stopping || !lease.held(Clock::now())) {
      record.outcome = PassOutcome::kReadOnly;
    } else if (auto wait = removal_wait(*plan.next, source.first_seen().value_or(started), started,
                                        options.removal_settle)) {
      record.report->waiting.push_back(*wait);
      record.outcome = PassOutcome::kWaiting;
    } else {
      auto applied = plan.apply_next();
      if (applied) {
        record.outcome = PassOutcome::kApplied;
        record.step = plan.next;
      } else if (applied.error().code == model::ErrorCode::kConflict) {
        record.outcome = PassOutcome::kWaiting;  // changed meanwhile: observe again
      } else if (applied.error().code == model::ErrorCode::kUnsafe) {
        // A guard at the moment of sending refused it: blocked, with its reason.
        auto& report = *record.report;
        std::erase(report.steps, *plan.next);
        report.blocked.push_back({*plan.next, applied.error().message});
        record.outcome = PassOutcome::kBlocked;
      } else {
        record.error = applied.error();
      }
    }
    record.duration = Clock::now() - started;
    return record;
  }

  void finished(const PassRecord& record) {
    board.record_pass(record);
    publish_api_counts();
    PassEnd end;
    end.failed = record.error.has_value();
    const double ms = record.duration.count() * 1000;
    log_pass_detail(record, ms);
    if (record.error) {
      log.error("pass-failed",
                {{"reconciler", record.reconciler},
                 {"error", record.error->describe()},
                 {"failures", std::to_string(queue.failures(record.reconciler) + 1)}});
    } else if (record.step) {
      log.info("step", {{"reconciler", record.reconciler},
                        {"action", record.step->action},
                        {"kind", record.step->kind},
                        {"object", record.step->object},
                        {"result", "done"},
                        {"duration_ms", std::to_string(static_cast<int>(ms))}});
      end.requeue_after = std::chrono::milliseconds(0);  // take the next step now
    } else if (record.outcome == PassOutcome::kWaiting) {
      end.requeue_after = options.requeue;
    }
    queue.finished(record.reconciler, end, Clock::now());
    if (stopping) {
      maybe_finish_stop();
      return;
    }
    dispatch();
  }

  //! The debug line of a pass: what it saw and decided, including passes that change nothing.
  void log_pass_detail(const PassRecord& record, double ms) {
    if (!log.debug_enabled()) {
      return;
    }
    WatchLog::Fields fields{{"reconciler", record.reconciler},
                            {"outcome", std::string(to_string(record.outcome))},
                            {"duration_ms", std::to_string(static_cast<int>(ms))}};
    if (record.report) {
      const auto& report = *record.report;
      fields.emplace_back("steps_left", std::to_string(report.steps.size()));
      if (!report.steps.empty()) {
        const auto& next = report.steps.front();
        fields.emplace_back("next", next.action + " " + next.kind + " " + next.object);
        fields.emplace_back("why", next.reason);
      }
      if (!report.blocked.empty()) {
        fields.emplace_back("blocked", report.blocked.front().reason);
      }
      if (!report.waiting.empty()) {
        fields.emplace_back("waiting", report.waiting.front());
      }
    }
    if (record.error) {
      fields.emplace_back("error", record.error->describe());
    }
    log.debug("pass", fields);
  }

  void publish_api_counts() {
    std::map<std::string, ApiCounts> counts;
    counts["docker"] = {counted_docker.reads(), counted_docker.writes(),
                        counted_docker.errors_by_status()};
    if (counted_couchbase) {
      counts["couchbase"] = {counted_couchbase->reads(), counted_couchbase->writes(),
                             counted_couchbase->errors_by_status()};
    }
    if (counted_rabbit) {
      counts["rabbitmq"] = {counted_rabbit->reads(), counted_rabbit->writes(),
                            counted_rabbit->errors_by_status()};
    }
    board.set_api_counts(counts);
  }

  // --- timers and triggers ------------------------------------------------------------------
  void schedule_resync() {
    resync.expires_after(options.resync);
    resync.async_wait([this](const boost::system::error_code& error) {
      if (error || stopping) {
        return;
      }
      reload_file("resync");
      queue.trigger_all(Clock::now());
      dispatch();
      schedule_resync();
    });
  }

  void schedule_lease(std::chrono::milliseconds after) {
    lease_timer.expires_after(after);
    lease_timer.async_wait([this](const boost::system::error_code& error) {
      if (error || stopping) {
        return;
      }
      asio::post(lease_thread, [this] {
        const bool held = lease.refresh(Clock::now());
        asio::post(loop, [this, held] {
          if (held != lease_held) {
            log.info(held ? "lease-acquired" : "lease-lost",
                     {{"identity", options.lease.identity}, {"holder", lease.holder()}});
            if (held) {
              queue.trigger_all(Clock::now());  // a new writer looks at everything
              dispatch();
            }
          }
          log.debug("lease-refreshed", {{"holder", lease.holder()}, {"held", held ? "yes" : "no"}});
          lease_held = held;
          board.set_lease(options.lease.identity, lease.holder(), held);
          schedule_lease(options.lease.duration / 3);
        });
      });
    });
  }

  void on_event(const clients::DockerEvent& event) {
    if (stopping) {
      return;
    }
    const auto now = Clock::now();
    if (log.debug_enabled()) {
      const auto name = event.attributes.find("name");
      log.debug("docker-event",
                {{"type", event.type},
                 {"action", event.action},
                 {"object", name == event.attributes.end() ? event.actor_id : name->second}});
    }
    if (const auto state = event.attributes.find("state.new");
        event.type == "node" && state != event.attributes.end()) {
      const auto name = event.attributes.find("name");
      log.info("node-state",
               {{"node", name == event.attributes.end() ? event.actor_id : name->second},
                {"state", state->second},
                {"event_time_ms", std::to_string(event.time_nano / 1'000'000)}});
    }
    if (event.type == "node") {
      queue.trigger_all(now);
    } else {
      for (const auto& name : controller::reconciler_names()) {
        if (name != "membership") {
          queue.trigger(name, now);
        }
      }
    }
    dispatch();
  }

  void start_events() {
    if (clients.event_clients.empty()) {
      return;
    }
    events = std::make_unique<clients::DockerEventWatcher>(
        std::move(clients.event_clients),
        [this](const clients::DockerEvent& event) {
          if (event.type == "node" || event.type == "service") {
            asio::post(loop, [this, event] { on_event(event); });
          }
        },
        [this](const std::string& endpoint, const model::Error* error) {
          asio::post(loop, [this, endpoint, failed = error != nullptr,
                            text = error ? error->describe() : std::string()] {
            if (failed) {
              log.warn("events-disconnected", {{"endpoint", endpoint}, {"error", text}});
            } else {
              log.info("events-connected", {{"endpoint", endpoint}});
            }
          });
        });
    events->start();
  }

  // --- signals ------------------------------------------------------------------------------
  //! SIGHUP re-reads the file; SIGTERM and SIGINT stop. (A member function, not a stored
  //! std::function: Asio moves from the handler it is given.)
  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& error, int signal) {
      if (error) {
        return;
      }
      if (signal == SIGHUP) {
        reload_file("SIGHUP");
        wait_for_signal();
        return;
      }
      begin_stop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    });
  }

  // --- stopping -----------------------------------------------------------------------------
  void beat() {
    board.set_loop_turned(Clock::now());
    heartbeat.expires_after(std::chrono::seconds(1));
    heartbeat.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        beat();
      }
    });
  }

  void begin_stop(const char* why) {
    if (stopping) {
      return;
    }
    stopping = true;
    board.set_stopping();
    log.info("stopping", {{"signal", why}, {"passes-in-flight", std::to_string(queue.running())}});
    wake.cancel();
    resync.cancel();
    reread.cancel();
    lease_timer.cancel();
    if (file_watch) {
      file_watch->stop();
    }
    grace.expires_after(options.shutdown_grace);
    grace.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        log.warn("stop-grace-over", {{"passes-in-flight", std::to_string(queue.running())}});
        abandon_stuck_passes();
      }
    });
    maybe_finish_stop();
  }

  //! The grace is over and passes still wait on the APIs: their calls are abandoned, so each
  //! ends at once with a transient error (a write cut short may or may not have been applied,
  //! which the next controller's first observation sees). The loop then stops when they have
  //! ended, or 5 s later whatever holds them.
  void abandon_stuck_passes() {
    if (clients.abandon_calls) {
      clients.abandon_calls();
    }
    grace.expires_after(std::chrono::seconds(5));
    grace.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        log.warn("stop-abandoned", {{"passes-in-flight", std::to_string(queue.running())}});
        loop.stop();
      }
    });
    maybe_finish_stop();
  }

  void maybe_finish_stop() {
    if (queue.running() == 0) {
      grace.cancel();
      loop.stop();
    }
  }

  ControllerOptions options;
  ControllerClients clients;
  WatchLog log;
  clients::CountingDockerClient counted_docker;
  std::optional<clients::CountingCouchbaseClient> counted_couchbase;
  std::optional<clients::CountingRabbitClient> counted_rabbit;
  DesiredSource source;
  WorkQueue queue;
  StatusBoard board;
  SwarmLease lease;
  asio::io_context loop;
  asio::thread_pool pool{5};
  //! The lease is renewed on its own thread: behind five slow passes in the pool, a renewal
  //! would come late, and a holder that cannot renew in time stops writing (held() turns false).
  asio::thread_pool lease_thread{1};
  asio::steady_timer wake;
  asio::steady_timer resync;
  asio::steady_timer lease_timer;
  asio::steady_timer heartbeat;  //!< marks each turn of the loop for /healthz
  asio::steady_timer grace;
  asio::steady_timer reread;  //!< reads a file that is settling again
  asio::signal_set signals;
  std::unique_ptr<FileWatch> file_watch;
  std::unique_ptr<clients::DockerEventWatcher> events;
  std::unique_ptr<HttpEndpoints> http;
  std::atomic<bool> stopping{false};  // read by the passes, set on the loop
  bool lease_held = false;
};

Controller::Controller(ControllerOptions options, ControllerClients clients, WatchLog log) {
  if (options.lease.identity.empty()) {
    options.lease.identity = controller_identity();
  }
  impl_ = std::make_unique<Impl>(std::move(options), std::move(clients), std::move(log));
}

Controller::~Controller() {
  if (impl_) {
    impl_->pool.join();
    impl_->lease_thread.join();
    if (impl_->events) {
      impl_->events->stop();
    }
  }
}

const StatusBoard& Controller::status() const {
  return impl_->board;
}

void Controller::stop() {
  asio::post(impl_->loop, [this] { impl_->begin_stop("stop"); });
}

int Controller::run(bool handle_signals) {
  Impl& s = *impl_;
  s.load_at_start();
  if (!s.source.current()) {
    s.log.error("no-valid-desired-state", {{"file", s.source.path()}});
    return 1;
  }
  if (!s.options.listen.empty()) {
    s.http = std::make_unique<HttpEndpoints>(s.board, s.options.stall_bound);
    const int port = s.http->start(s.options.listen);
    if (port <= 0) {
      s.log.error("http-listen-failed", {{"listen", s.options.listen}, {"error", s.http->error()}});
      return 1;
    }
    http_port_ = port;
    s.log.info("http-listening", {{"listen", s.options.listen}, {"port", std::to_string(port)}});
  }
  s.file_watch = std::make_unique<FileWatch>(s.loop, s.options.file, s.options.settle,
                                             [&s] { s.reload_file("file"); });
  s.file_watch->on_notice([&s](FileWatch::Notice notice, const std::string& detail) {
    s.on_file_watch_notice(notice, detail);
  });
  if (!s.file_watch->start()) {
    s.log.warn("file-watch-unavailable",
               {{"error", s.file_watch->error()}, {"fallback", "resync timer"}});
  }
  if (handle_signals) {
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.add(SIGHUP);
    s.wait_for_signal();
  }
  s.start_events();
  // The lease first, so the first passes can already write.
  s.lease_held = s.lease.refresh(Clock::now());
  s.board.set_lease(s.options.lease.identity, s.lease.holder(), s.lease_held);
  s.log.info("started", {{"file", s.options.file},
                         {"identity", s.options.lease.identity},
                         {"lease", s.lease_held ? "held" : "held by " + s.lease.holder()}});
  s.schedule_lease(s.options.lease.duration / 3);
  s.schedule_resync();
  s.beat();
  s.queue.trigger_all(Clock::now());
  s.dispatch();
  started_ = true;
  s.loop.run();

  // Stopped: no pass runs any more (or the grace period is over).
  s.signals.cancel();
  if (s.events) {
    s.events->stop();
  }
  s.pool.join();
  s.lease_thread.join();
  s.lease.release();
  if (s.http) {
    s.http->stop();
  }
  s.log.info("stopped", {});
  return 0;
}

}  // namespace swarmop::watch
