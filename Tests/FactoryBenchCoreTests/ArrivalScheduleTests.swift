import FactoryBenchCore
import Foundation
import Testing

@Suite struct ArrivalScheduleTests {
    func gaps(_ schedule: ArrivalSchedule, count: Int) -> [Double] {
        let times = Array(schedule.prefix(count + 1))
        return zip(times.dropFirst(), times).map { $0 - $1 }
    }

    func meanAndCV(_ values: [Double]) -> (mean: Double, cv: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot() / mean)
    }

    @Test func constantArrivalsAreExactlyOneOverTheRateApartFromZero() {
        let times = Array(ArrivalSchedule(rate: 4, arrival: .constant, rampUpSeconds: 0, seed: 1).prefix(5))
        #expect(times == [0, 0.25, 0.5, 0.75, 1.0])
    }

    @Test func poissonGapsAreExponentialWithTheRatesMean() {
        let (mean, cv) = meanAndCV(gaps(ArrivalSchedule(rate: 100, arrival: .poisson, rampUpSeconds: 0, seed: 7), count: 20000))
        #expect(abs(mean - 0.01) < 0.0003)
        #expect(abs(cv - 1) < 0.03)
    }

    @Test(arguments: [0.25, 0.5, 2.0, 4.0])
    func gammaGapsKeepTheMeanAndHaveTheShapesSpread(shape: Double) {
        let schedule = ArrivalSchedule(rate: 50, arrival: .gamma(shape: shape), rampUpSeconds: 0, seed: 11)
        let (mean, cv) = meanAndCV(gaps(schedule, count: 40000))
        #expect(abs(mean - 0.02) / 0.02 < 0.03, "shape \(shape): mean \(mean)")
        // The coefficient of variation of Gamma(k) is 1/sqrt(k).
        #expect(abs(cv - 1 / shape.squareRoot()) < 0.05 / shape.squareRoot() + 0.02, "shape \(shape): cv \(cv)")
    }

    @Test func theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        let a = Array(ArrivalSchedule(rate: 10, arrival: .poisson, rampUpSeconds: 0, seed: 3).prefix(100))
        let b = Array(ArrivalSchedule(rate: 10, arrival: .poisson, rampUpSeconds: 0, seed: 3).prefix(100))
        let c = Array(ArrivalSchedule(rate: 10, arrival: .poisson, rampUpSeconds: 0, seed: 4).prefix(100))
        #expect(a == b)
        #expect(a != c)
    }

    @Test func aLinearRampReachesTheRateAtItsEndWithHalfTheRequests() {
        // Constant arrivals at 100/s ramped over 2 s: by t the schedule has sent 100·t²/4
        // requests, 100 by the end of the ramp, then 100 per second.
        let times = Array(ArrivalSchedule(rate: 100, arrival: .constant, rampUpSeconds: 2, seed: 1).prefix(400))
        #expect(times.filter { $0 < 1 }.count == 25)
        #expect(times.filter { $0 < 2 }.count == 100)
        #expect(times.filter { $0 < 3 }.count == 200)
        #expect(abs(times[300] - times[299] - 0.01) < 1e-9)
        #expect(times[1] - times[0] > times[99] - times[98])
    }
}
