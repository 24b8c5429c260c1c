import Foundation

/// Ingestion: each line of a block is scanned and folded in as it is read — counts,
/// duplicates, breakdowns, seconds and samples.
extension RequestAggregation {
    /// Scans and folds in one block of whole lines of a file, each ended by a newline;
    /// blocks of a file may come to different aggregations (shards), but each aggregation
    /// must get its blocks in file order. Each line is folded as soon as it is scanned:
    /// keeping a block's records to fold them afterwards cost more than folding itself.
    mutating func add(lines bytes: UnsafeRawBufferPointer, at position: BlockPosition, file: String) {
        var lineCount = 0
        let successfulBefore = successful
        if let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) {
            var record = ScannedRecord()
            var start = UnsafePointer(base)
            let end = start + bytes.count
            while start < end {
                lineCount += 1
                var (outcome, next) = scanner.scan(from: start, to: end, into: &record)
                // Where the line's newline is (or the end): known from the scan, or found
                // only now for a line that is not well-formed.
                let stop: UnsafePointer<UInt8>
                if let next {
                    stop = next > start && next[-1] == 0x0A ? next - 1 : next
                } else {
                    stop = memchr(start, 0x0A, end - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
                }
                if stop - start > JSONLBlockReader.maximumLineBytes { outcome = .invalid("line longer than 1 MB") }
                if serviceType == nil && serviceTypeAttempts < 4 {
                    noteServiceType(UnsafeRawBufferPointer(start: start, count: stop - start), at: position, line: lineCount)
                }
                var problem: String?
                switch outcome {
                case .record:
                    problem = add(scanned: &record, itl: scanner.itl.isEmpty ? [] : scanner.itl[...])
                case .header, .blank:
                    break
                case .invalid(let reason):
                    problem = reason
                }
                if let problem { skipped.add(problem, file: file, at: position, line: lineCount) }
                start = next ?? stop + 1
            }
        }
        blockLines[position] = lineCount
        if exact, let kept = keptByAllShards, kept.add(successful - successfulBefore) > exactLimit { dropToHistograms() }
        if expectedBytes > 0 && exact && keyedSamples.capacity == 0 && lineCount > 0 {
            // Room for the samples of every line expected, at this block's bytes per line
            // (pages never written cost no memory): growing by doubling copied each array
            // and touched twice its final size.
            let lines = Double(expectedBytes) / Double(bytes.count) * Double(lineCount)
            keyedSamples.reserve(Int(min(lines * 1.05, Double(exactLimit))))
        }
    }

    /// Reads the service's name from one of the first lines (a header or a record), once:
    /// a JSON library is fine for a handful of lines.
    mutating func noteServiceType(_ line: UnsafeRawBufferPointer, at position: BlockPosition, line number: Int) {
        serviceTypeAttempts += 1
        let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        if let name = object?["service_type"] as? String, !name.isEmpty {
            serviceType = (position, number, name)
        }
    }

    /// Counts one line of a file that could not be kept at all (see `JSONLBlockReader`),
    /// standing for a block of its own.
    mutating func add(problem reason: String, at position: BlockPosition, file: String) {
        blockLines[position] = 1
        skipped.add(reason, file: file, at: position, line: 1)
    }

    /// Folds one well-formed record in; returns why it was skipped, if it was. (`inout`
    /// only so that it is not copied: passed by value, its 146 bytes were copied on every
    /// line; it is not changed.)
    mutating func add(scanned record: inout ScannedRecord, itl: ArraySlice<Double>) -> String? {
        // A duplicate is the same request logged twice: same id, client and start. Only a
        // record that names its client can be told from another request: the old
        // framework's clients share request ids, write no client id and stamp whole
        // seconds, so two of their requests can be the same line byte for byte (failures,
        // with latency 0, in one second), and such records are all counted.
        if record.hasRequestID, let clientID = record.clientID {
            var key = record.requestIDHash ^ UInt64(bitPattern: Int64(clientID)) &* 0x9E37_79B9_7F4A_7C15
            key ^= record.timestampStart.bitPattern &* 0xC2B2_AE3D_27D4_EB4F
            // The first `exactLimit` records are remembered (later ones are still checked
            // against them), so memory stays bounded on huge runs.
            let window = Self.second(record.timestampStart * Self.duplicateWindowsPerSecond)
            if window != lastSeen.window { useFilter(forWindow: window) }
            if lastSeen.filter.isDuplicate(key, remember: remembered < exactLimit) {
                return Self.duplicateReason
            }
            remembered += 1
        }
        let client = clientSlot(record.clientID ?? Int.min)
        // A client's first request, warm-up included: when it began to send (the start skew).
        Self.grow(&clients, toHold: client, exact: exact)
        if record.timestampStart < clients[client].firstStart { clients[client].firstStart = record.timestampStart }
        switch record.phase {
        case .warmup:
            excludedWarmup += 1
            return nil
        case .cooldown:
            excludedCooldown += 1
            return nil
        case .measured:
            break
        }
        let success = record.success ?? false
        total += 1
        firstStart = min(firstStart, record.timestampStart)
        lastEnd = max(lastEnd, record.timestampEnd)
        if record.timestampIntended.isFinite && !record.dropped {
            lateness.add(max(record.timestampStart - record.timestampIntended, 0))
        }
        let end = seconds.bucket(Self.second(record.timestampEnd))
        if success && exact {
            let key = KeyedSamples.Key(
                operation: operationNumbers.number(of: record.operation + 1),
                queryType: queryTypeNumbers.number(of: record.queryType + 1), client: client, second: end)
            if let packed = key.packed {
                keyedSamples.append(record.latency, packed)
            } else {
                // More operations, clients or seconds than a key holds: histograms from here on.
                dropToHistograms()
            }
        }
        if success {
            successful += 1
            // While exact, the run's latency statistics come from the keyed samples.
            if !exact { latency.add(record.latency) }
            if let goodputLimits, goodputLimits.admits(record) { goodRequests += 1 }
            if record.timestampIntended.isFinite {
                fromIntended.add(max(record.timestampEnd - record.timestampIntended, record.latency))
            }
            if record.recall.isFinite {
                recallSum += record.recall
                recallCount += 1
                recallMin = min(recallMin, record.recall)
            }
        } else {
            errors[record.error, default: 0] += 1
            if record.dropped { dropped += 1 }
        }
        if record.httpStatus >= 0 { httpStatuses[record.httpStatus, default: 0] += 1 }
        Self.add(record, success: success, to: &operations, at: record.operation + 1, exact: exact)
        if record.queryType != ScannedRecord.absent {
            Self.add(record, success: success, to: &queryTypes, at: record.queryType + 1, exact: exact)
        }
        Self.add(record, success: success, to: &clients, at: client, exact: exact)
        seconds.add(
            start: record.timestampStart, end: record.timestampEnd, latency: record.latency,
            outputTokens: record.outputTokens, success: success, bucket: end)
        if record.outputTokens >= 0 || record.inputTokens >= 0 || !record.ttft.isNaN || !itl.isEmpty {
            llm.add(record, success: success, itl: itl)
        }
        if exact && successful > exactLimit { dropToHistograms() }
        return nil
    }

    @inline(__always)
    /// Adds empty groups until `slot` exists.
    static func grow(_ groups: inout [Group], toHold slot: Int, exact: Bool) {
        while groups.count <= slot {
            var group = Group()
            if !exact { group.latency.dropToHistogram() }
            groups.append(group)
        }
    }

    static func add(_ record: ScannedRecord, success: Bool, to groups: inout [Group], at slot: Int, exact: Bool) {
        grow(&groups, toHold: slot, exact: exact)
        groups[slot].count += 1
        if record.bytes >= 0 {
            if success { groups[slot].bytes += record.bytes }
            groups[slot].bytesFirstStart = min(groups[slot].bytesFirstStart, record.timestampStart)
            groups[slot].bytesLastEnd = max(groups[slot].bytesLastEnd, record.timestampEnd)
        }
        // While exact, the breakdowns' latency statistics come from the keyed samples.
        if !success {
            groups[slot].failed += 1
        } else if !exact {
            groups[slot].latency.add(record.latency)
        }
    }

    /// The whole second a Unix time falls in: truncation for times after 1970 (all that
    /// the scanner lets through), which is one instruction where `rounded(.down)` is a
    /// call to `floor` on x86-64's baseline.
    @inline(__always)
    static func second(_ time: Double) -> Int {
        time >= 0 && time < 1e15 ? Int(time) : Int(time.rounded(.down))
    }

    /// A duplicate starts at the same instant as the request it repeats, so each window
    /// of start times has its own duplicate filter: a sixteenth of a second keeps the table
    /// in use small enough for the nearest caches (a second's table at 20k requests per
    /// second was 256 KB, and its probe a cache miss per line).
    static let duplicateWindowsPerSecond = 16.0

    /// Why a record was skipped as a duplicate, in `skipped_lines`.
    static let duplicateReason = "duplicate request (same request_id, client_id and timestamp_start)"

    /// Makes the duplicate filter of `window` the one in use (`lastSeen`), which the hot
    /// path then calls in place (returning it cost a retain and a release per line).
    mutating func useFilter(forWindow window: Int) {
        let filter: DuplicateFilter
        if let existing = seen[window] {
            filter = existing
        } else {
            // Capped: after a burst, a run of quiet windows should not each get a burst's table.
            filter = DuplicateFilter(expected: min(lastSeen.filter.count, 1024))
            seen[window] = filter
        }
        lastSeen = (window, filter)
    }

    @inline(__always)
    mutating func clientSlot(_ id: Int) -> Int {
        let small = id >= 0 && id < 4096
        if small, id < smallClientSlots.count, smallClientSlots[id] > 0 { return Int(smallClientSlots[id]) - 1 }
        if !small, let lastClient, lastClient.id == id { return lastClient.slot }
        let slot: Int
        if let existing = clientSlots[id] {
            slot = existing
        } else {
            slot = clientIDs.count
            clientSlots[id] = slot
            clientIDs.append(id)
        }
        if small {
            if id >= smallClientSlots.count {
                smallClientSlots.append(contentsOf: repeatElement(0, count: id + 1 - smallClientSlots.count))
            }
            smallClientSlots[id] = Int32(slot + 1)
        } else {
            lastClient = (id, slot)
        }
        return slot
    }
}
