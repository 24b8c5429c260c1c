import FactoryBenchCore

/// The run's telemetry over time, on the throughput plot's time axis (seconds since the
/// run's first second, from 0 to its last): CPU, memory, GPUs and the server's own series.
extension PlotRenderer {
    static func telemetryPlots(_ summary: RunSummary) -> [Plot] {
        guard let telemetry = summary.telemetry, !telemetry.series.isEmpty else { return [] }
        let upper = Double(max(summary.timeseries.count - 1, 1))
        func points(_ name: String, scale: Double = 1) -> [(x: Double, y: Double)] {
            (telemetry.series[name]?.points ?? []).filter { $0[0] >= 0 && $0[0] <= upper }.map { (x: $0[0], y: $0[1] * scale) }
        }
        func chart(_ file: String, _ title: String, _ label: String, _ series: [Chart.Series]) -> Plot? {
            let shown = series.filter { !$0.points.isEmpty }
            guard !shown.isEmpty else { return nil }
            return Plot(
                file: file,
                chart: Chart(
                    title: title, xAxis: .linear(label: "Time since start (s)", upper: upper),
                    yAxis: .linear(label: label, upper: max(shown.flatMap(\.points).map(\.y).max() ?? 1, 1)),
                    content: .lines(shown)))
        }
        var plots: [Plot?] = []
        // CPU in percent of one core for all three, so they share one axis: the host's share
        // of all its cores times their number.
        let cores = telemetry.series["host_cpus"]?.mean ?? 1
        plots.append(
            chart(
                "telemetry_cpu.svg", "CPU over time", "CPU (% of one core)",
                [
                    Chart.Series(name: "service", points: points("service_cpu_percent")),
                    Chart.Series(name: "clients", points: points("clients_cpu_percent")),
                    Chart.Series(name: "host (all processes)", points: points("host_cpu_percent", scale: cores)),
                ]))
        let memoryNames = ["service_rss_bytes", "clients_rss_bytes", "redis_used_memory_bytes"]
        let largest = memoryNames.compactMap { telemetry.series[$0]?.peak }.max() ?? 0
        let (unit, divisor) = largest >= Double(1 << 30) ? ("GiB", Double(1 << 30)) : ("MiB", Double(1 << 20))
        plots.append(
            chart(
                "telemetry_memory.svg", "Memory over time", "Resident memory (\(unit))",
                [
                    Chart.Series(name: "service", points: points("service_rss_bytes", scale: 1 / divisor)),
                    Chart.Series(name: "clients", points: points("clients_rss_bytes", scale: 1 / divisor)),
                    Chart.Series(name: "Redis used_memory", points: points("redis_used_memory_bytes", scale: 1 / divisor)),
                ]))
        let gpus = Set(telemetry.series.keys.filter { $0.hasPrefix("gpu") && $0.hasSuffix("_utilization_percent") })
            .map { String($0.dropLast("_utilization_percent".count)) }.sorted()
        var gpuSeries: [Chart.Series] = []
        for gpu in gpus {
            gpuSeries.append(Chart.Series(name: "\(gpu) busy", points: points("\(gpu)_utilization_percent")))
            let used = points("\(gpu)_memory_used_bytes")
            if let total = telemetry.series["\(gpu)_memory_total_bytes"]?.peak, total > 0 {
                gpuSeries.append(Chart.Series(name: "\(gpu) memory", points: used.map { (x: $0.x, y: $0.y / total * 100) }))
            }
        }
        plots.append(chart("telemetry_gpu.svg", "GPUs over time", "Percent", gpuSeries))
        plots.append(serverPlot(summary, points: points, chart: chart))
        return plots.compactMap { $0 }
    }

    /// The server's own view: PostgreSQL's commits and rollbacks, Redis's commands, vLLM's
    /// running and waiting requests.
    private static func serverPlot(
        _ summary: RunSummary, points: (String, Double) -> [(x: Double, y: Double)],
        chart: (String, String, String, [Chart.Series]) -> Plot?
    ) -> Plot? {
        guard let series = summary.telemetry?.series else { return nil }
        if series["postgres_commits_per_s"] != nil {
            return chart(
                "telemetry_server.svg", "PostgreSQL over time (pg_stat_database)", "Transactions per second",
                [
                    Chart.Series(name: "commits", points: points("postgres_commits_per_s", 1)),
                    Chart.Series(name: "rollbacks", points: points("postgres_rollbacks_per_s", 1)),
                ])
        }
        if series["redis_commands_per_s"] != nil {
            return chart(
                "telemetry_server.svg", "Redis over time (INFO)", "Per second",
                [
                    Chart.Series(name: "commands", points: points("redis_commands_per_s", 1)),
                    Chart.Series(name: "keyspace misses", points: points("redis_keyspace_misses_per_s", 1)),
                    Chart.Series(name: "evicted keys", points: points("redis_evicted_keys_per_s", 1)),
                ])
        }
        if series["vllm_requests_running"] != nil || series["vllm_requests_waiting"] != nil {
            return chart(
                "telemetry_server.svg", "vLLM over time (/metrics)", "Requests",
                [
                    Chart.Series(name: "running", points: points("vllm_requests_running", 1)),
                    Chart.Series(name: "waiting", points: points("vllm_requests_waiting", 1)),
                ])
        }
        return nil
    }
}
