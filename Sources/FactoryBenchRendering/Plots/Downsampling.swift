/// Largest-Triangle-Three-Buckets (Steinarsson, "Downsampling Time Series for Visual
/// Representation", University of Iceland, 2013): keeps the first and last point and, from
/// each of `threshold − 2` equal buckets in between, the point that makes the largest
/// triangle with the point kept before it and the next bucket's average. A line of any
/// length becomes at most `threshold` points that keep its peaks, so a long run's page
/// stays small.
enum Downsampling {
    static func lttb(_ points: [(x: Double, y: Double)], threshold: Int) -> [(x: Double, y: Double)] {
        guard threshold >= 3, points.count > threshold else { return points }
        var kept = [points[0]]
        kept.reserveCapacity(threshold)
        let bucketSize = Double(points.count - 2) / Double(threshold - 2)
        var previous = 0
        for bucket in 0..<(threshold - 2) {
            let start = Int(Double(bucket) * bucketSize) + 1
            let end = min(Int(Double(bucket + 1) * bucketSize) + 1, points.count - 1)
            // The next bucket's average (the last point for the last bucket).
            let nextStart = end
            let nextEnd = min(Int(Double(bucket + 2) * bucketSize) + 1, points.count)
            var averageX = 0.0
            var averageY = 0.0
            for index in nextStart..<max(nextEnd, nextStart + 1) {
                averageX += points[index].x
                averageY += points[index].y
            }
            let span = Double(max(nextEnd - nextStart, 1))
            averageX /= span
            averageY /= span
            var best = start
            var largest = -1.0
            for index in start..<max(end, start + 1) {
                let area = abs(
                    (points[previous].x - averageX) * (points[index].y - points[previous].y)
                        - (points[previous].x - points[index].x) * (averageY - points[previous].y))
                if area > largest {
                    largest = area
                    best = index
                }
            }
            kept.append(points[best])
            previous = best
        }
        kept.append(points[points.count - 1])
        return kept
    }
}
