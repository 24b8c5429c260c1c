/// The seconds of one aggregation: for each wall-clock second, the requests that ended in
/// it, their time in flight in it, and (once the aggregation is not exact) their latencies
/// in bins; what the per-second time series is made from.
struct SecondBuckets {
    /// Each second's place in `list`.
    private(set) var index: [Int: Int] = [:]
    /// The buckets in order of creation: a sample's key names its bucket by this index.
    var list: [SecondBucket] = []
    private var lastSecond = Int.min
    private var lastBucket = -1
    /// Whether latencies are counted in each bucket's bins (once the aggregation dropped to
    /// histograms); while exact, they are among the aggregation's keyed samples.
    private(set) var binned = false

    /// The place in `list` of the bucket of `second`, made if new. (Buckets are values
    /// in one array: as objects, each line retained and released two of them.)
    mutating func bucket(_ second: Int) -> Int {
        if second == lastSecond { return lastBucket }
        let place: Int
        if let existing = index[second] {
            place = existing
        } else {
            place = list.count
            var bucket = SecondBucket(second: second)
            if binned { bucket.bins = LogBins() }
            index[second] = place
            list.append(bucket)
        }
        lastSecond = second
        lastBucket = place
        return place
    }

    /// Counts a request in the second it ended in (whose bucket is `end`) and its time in
    /// flight in every second it spans. (Given the record's fields, not the record: passing
    /// the record copied it, 146 bytes, on every line.)
    mutating func add(
        start: Double, end finish: Double, latency: Double, outputTokens: Int, success: Bool, bucket end: Int
    ) {
        list[end].completed += 1
        if success {
            if binned { list[end].bins!.add(latency) }
        } else {
            list[end].failed += 1
        }
        if outputTokens > 0 { list[end].outputTokens += outputTokens }
        // Time in flight, spread over the seconds the request spans (at most a day's worth).
        let stop = max(finish, start)
        let first = RequestAggregation.second(start)
        if list[end].second == first && stop <= Double(first) + 1 {
            // Within the second it ended in, as most requests are.
            if stop > start { list[end].busySeconds += stop - start }
            return
        }
        var second = Double(first)
        var spanned = 0
        while second < stop && spanned < 86_400 {
            let overlap = min(stop, second + 1) - max(start, second)
            if overlap > 0 { list[bucket(Int(second))].busySeconds += overlap }
            second += 1
            spanned += 1
        }
    }

    /// From now on, every bucket counts latencies in bins.
    mutating func dropToBins() {
        binned = true
        for place in list.indices { list[place].bins = LogBins() }
    }

    /// Adds the counts of `other`'s seconds to ours.
    mutating func merge(_ other: SecondBuckets) {
        for (second, theirs) in other.index {
            list[bucket(second)].merge(other.list[theirs])
        }
    }

    /// One point per second from the first request's start to the last end (empty
    /// seconds included).
    func timeseries(from firstStart: Double, withTokens: Bool, requests: Int) -> [TimeseriesPoint] {
        guard requests > 0, !index.isEmpty else { return [] }
        let origin = Int(firstStart.rounded(.down))
        let keys = index.keys.filter { $0 >= origin }.sorted()
        guard let last = keys.last else { return [] }
        // Every second from the first to the last, empty ones included, unless timestamps
        // far apart would make that absurdly long: then only seconds with data.
        let range = last - origin <= 86_400 ? Array(origin...last) : keys
        return range.map { second in
            guard let bucket = index[second].map({ list[$0] }) else {
                return TimeseriesPoint(
                    second: second - origin, completed: 0, failed: 0, inFlight: 0, outputTokens: nil, p50Latency: nil,
                    p95Latency: nil)
            }
            return TimeseriesPoint(
                second: second - origin, completed: bucket.completed, failed: bucket.failed,
                inFlight: bucket.busySeconds, outputTokens: withTokens ? bucket.outputTokens : nil,
                p50Latency: bucket.p50, p95Latency: bucket.p95)
        }
    }
}

/// Requests that ended within one wall-clock second. While the aggregation is exact,
/// the second's latencies are among its keyed samples; after, they are counted in bins.
struct SecondBucket {
    let second: Int
    var completed = 0
    var failed = 0
    var busySeconds = 0.0
    var outputTokens = 0
    var bins: LogBins?

    init(second: Int) {
        self.second = second
    }

    /// Adds the counts of `other`; when either holds bins, both must (the aggregations
    /// drop to histograms together before merging).
    mutating func merge(_ other: SecondBucket) {
        completed += other.completed
        failed += other.failed
        busySeconds += other.busySeconds
        outputTokens += other.outputTokens
        if let theirs = other.bins {
            if bins == nil { bins = LogBins() }
            bins!.merge(theirs)
        }
    }

    /// The second's median and 95th percentile: exact ones set by the aggregation, or
    /// from the bins.
    var p50: Double?
    var p95: Double?

    mutating func finishPercentiles() {
        guard let bins else { return }
        p50 = bins.percentile(50)
        p95 = bins.percentile(95)
    }
}
