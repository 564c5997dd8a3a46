import Config
import Engine
import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension Setup {
    /// The control socket: beside the lock in a local store's folder, else beside the API
    /// state file in the state folder.
    var controlSocketPath: String {
        guard s3Location != nil else { return "\(storePath)/.control.sock" }
        return apiStatePath.replacing("/api-state-", with: "/control-").replacing(".json", with: ".sock")
    }

    /// Serves the control socket for a poller about to run, or says why not (the service runs
    /// on either way). Subscribes before reading the state, so no event falls in between.
    func serveControl(poller: Poller, scheduler: Scheduler, logger: Logger) async -> ControlServer? {
        await ControlServer.serve(
            at: controlSocketPath, store: storeDescription, apiURL: redactingUserInfo(apiURL),
            poller: poller, scheduler: scheduler, logger: logger)
    }
}

extension ControlServer {
    /// Serves `path` for `poller`, or logs why not. `store` and `apiURL` are as shown to people.
    static func serve(
        at path: String, store: String, apiURL: String, poller: Poller, scheduler: Scheduler,
        logger: Logger
    ) async -> ControlServer? {
        let folder = FileIO.dirname(of: path)
        var info = stat()
        guard stat(folder, &info) == 0 else {
            logger.warning("no control socket: \(folder) is not there")
            return nil
        }
        guard info.st_mode & 0o022 == 0 else {
            logger.warning("no control socket: \(folder) is writable by others, who could replace the socket; make it 0755 or stricter")
            return nil
        }
        if access(path, F_OK) == 0 {
            // A live one: another service on this state folder (possible for S3 stores only;
            // a local store's lock already keeps a second poller out).
            if let other = try? await ControlClient.connect(path: path, timeout: 3) {
                other.close()
                logger.warning("no control socket: pid \(other.snapshot.pid) already serves \(path)")
                return nil
            }
            unlink(path)  // left by a service that crashed
        }
        let events = poller.subscribe()
        var snapshot = ServiceSnapshot(
            pid: getpid(), version: EngineConfig.version, store: store, apiURL: apiURL,
            schedule: scheduler.scheduleDescription)
        if let meta = await poller.currentMetadata() {
            snapshot.reports = meta.reports
            snapshot.failures = meta.failures
        }
        snapshot.budget = await poller.budget()
        if let stop = await poller.stop { snapshot.phase = .stopped(reason: stop.message) }
        snapshot.nextPollAt = await scheduler.nextPollAt
        snapshot.events = (try? await StoreReader(store: poller.store).recent(limit: ServiceState.keptEvents)) ?? []
        let commands = ControlCommands(poller: poller, scheduler: scheduler, state: ServiceState(snapshot), clock: SystemClock())
        // Owner only from the first instant: the socket is created under a strict umask (no
        // cycle runs yet, so nothing else is creating files), then its mode set explicitly.
        let mask = umask(0o177)
        defer { umask(mask) }
        do {
            let server = try await ControlServer.start(path: path, events: events, state: commands.state, commands: commands)
            chmod(path, 0o600)
            logger.info("control socket on \(path)")
            return server
        } catch {
            logger.warning("no control socket on \(path): \(error)")
            return nil
        }
    }
}
