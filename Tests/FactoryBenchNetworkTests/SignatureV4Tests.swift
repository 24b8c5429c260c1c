import Foundation
import Testing

@testable import FactoryBenchNetwork

/// AWS Signature V4 against AWS's published examples: the generic test suite (as vendored by
/// botocore, `tests/unit/auth/aws4_testsuite`) and the S3 API reference's "GET Object".
struct SignatureV4Tests {
    static let suite = SignatureV4(
        accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1",
        service: "service")
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func getVanilla() {
        #expect(
            Self.suite.authorization(
                method: "GET", path: "/", headers: ["Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"],
                payloadHash: Self.empty, amzDate: "20150830T123600Z")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func queryParametersAreSortedByTheirEncodedKeys() {
        #expect(
            Self.suite.authorization(
                method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
                headers: ["Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"], payloadHash: Self.empty,
                amzDate: "20150830T123600Z"
            ).hasSuffix(
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
    }

    @Test func aPostWithABodySignsItsHash() {
        let body = SignatureV4.sha256Hex(Array("Param1=value1".utf8))
        #expect(body == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
        #expect(
            Self.suite.authorization(
                method: "POST", path: "/",
                headers: [
                    "Content-Type": "application/x-www-form-urlencoded", "Host": "example.amazonaws.com",
                    "X-Amz-Date": "20150830T123600Z",
                ], payloadHash: body, amzDate: "20150830T123600Z")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test func theS3ReferencesGetObjectExample() {
        let signer = SignatureV4(
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let authorization = signer.authorization(
            method: "GET", path: "/test.txt",
            headers: [
                "Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9", "x-amz-content-sha256": Self.empty,
                "x-amz-date": "20130524T000000Z",
            ], payloadHash: Self.empty, amzDate: "20130524T000000Z")
        #expect(
            authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func keysAreEncodedAsSigV4SaysAndDatesInUTC() {
        #expect(SignatureV4.encode("test$file.text", slash: true) == "test%24file.text")
        #expect(SignatureV4.encode("a b/ü~", slash: true) == "a%20b/%C3%BC~")
        #expect(SignatureV4.encode("a/b") == "a%2Fb")
        #expect(SignatureV4.amzDate(.init(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
    }
}
