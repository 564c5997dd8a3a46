// The physical limit of the process stage at 1 % new: simdjson's validating parse of the same
// response (its DOM parser checks the whole grammar and UTF-8), plus reading each event's id
// and datetime, and nothing else. Benchmark only: built by scripts/benchmark.sh with Debian's
// libsimdjson-dev, never part of the product. Usage: simdjson-limit FILE [RUNS]
// Prints JSON: best / median / p99 milliseconds.
#include <simdjson.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
    if (argc < 2) { std::fprintf(stderr, "usage: simdjson-limit FILE [RUNS]\n"); return 2; }
    int runs = argc > 2 ? std::atoi(argv[2]) : 300;
    simdjson::padded_string body;
    if (simdjson::padded_string::load(argv[1]).get(body)) { std::fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    simdjson::dom::parser parser;
    std::vector<double> times;
    long sink = 0;
    for (int i = 0; i < runs; i++) {
        auto start = std::chrono::steady_clock::now();
        simdjson::dom::element doc;
        if (parser.parse(body).get(doc)) { std::fprintf(stderr, "invalid JSON\n"); return 1; }
        for (auto e : doc.get_array()) {
            int64_t id = e["id"].get_int64().value_unsafe();
            std::string_view dt = e["datetime"].get_string().value_unsafe();
            sink += id + (long)dt.size();
        }
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("{\"best_ms\": %.4f, \"median_ms\": %.4f, \"p99_ms\": %.4f, \"sink\": %ld}\n",
                times[0], times[times.size() / 2], times[std::min(times.size() - 1, times.size() * 99 / 100)], sink % 10);
    return 0;
}
