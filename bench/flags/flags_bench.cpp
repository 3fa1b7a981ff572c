// The flag engine's hot paths. Numbers are recorded in docs/flags.md.
//   cmake -DFICUS_BUILD_BENCH=ON ... && build/bench/flags/flags_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "flags/evaluator.h"
#include "flags/flag_set.h"

namespace ficus::bench {
extern std::size_t allocations;  // allocation_counter.cpp
}

namespace ficus::flags {
namespace {

std::shared_ptr<const FlagSet> parse(const std::string& text) {
  auto parsed = parse_flag_source(text, "bench.json");
  if (!parsed.ok()) std::abort();
  std::vector<ParsedSource> sources;
  sources.push_back(std::move(*parsed.source));
  return std::make_shared<const FlagSet>(std::move(sources));
}

void report_allocations(benchmark::State& state, std::size_t before) {
  state.counters["allocs_per_eval"] = benchmark::Counter(
      static_cast<double>(bench::allocations - before), benchmark::Counter::kAvgIterations);
}

// A two-variant fractional rollout evaluated for a 20-byte targeting key: the proxy's path.
void BM_FractionalTwoVariants(benchmark::State& state) {
  const auto set = parse(R"({"flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
      "targeting": {"fractional": [["new", 10], ["old", 90]]}}}})");
  const std::string key = "user-0123456789abcde";  // 20 bytes
  const EvalContext context(std::string_view{key});
  const std::size_t before = bench::allocations;
  for (auto _ : state) {
    Resolution r = evaluate(*set, "orders-cutover", context);
    benchmark::DoNotOptimize(r.variant.data());
  }
  report_allocations(state, before);
}
BENCHMARK(BM_FractionalTwoVariants);

class RequestAttributes : public AttributeResolver {
 public:
  std::optional<std::string_view> attribute(std::string_view path) const override {
    if (path == "method") return "GET";
    if (path == "path") return "/orders/42";
    if (path == "headers.x-region") return "eu";
    if (path == "headers.x-app-version") return "2.3.1";
    if (path == "host") return "api.example.com";
    return std::nullopt;
  }
};

// A rule with five conditions over request attributes, all of which must be read.
void BM_RuleWithFiveConditions(benchmark::State& state) {
  const auto set = parse(R"({"flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
      "targeting": {"if": [{"and": [
          {"==": [{"var": "method"}, "GET"]},
          {"starts_with": [{"var": "path"}, "/orders"]},
          {"in": [{"var": "headers.x-region"}, ["eu", "us"]]},
          {"sem_ver": [{"var": "headers.x-app-version"}, ">=", "2.0.0"]},
          {"ends_with": [{"var": "host"}, ".example.com"]}]}, "new", "old"]}}}})");
  RequestAttributes attributes;
  const EvalContext context(std::string_view("user-1"), &attributes);
  const std::size_t before = bench::allocations;
  for (auto _ : state) {
    Resolution r = evaluate(*set, "orders-cutover", context);
    benchmark::DoNotOptimize(r.variant.data());
  }
  report_allocations(state, before);
}
BENCHMARK(BM_RuleWithFiveConditions);

// Parsing, validating and compiling a 1,000-flag file (what a reload costs).
void BM_Load1000Flags(benchmark::State& state) {
  std::string text =
      R"({"$evaluators": {"beta": {"==": [{"var": "headers.x-beta"}, "1"]}}, "flags": {)";
  for (int i = 0; i < 1000; ++i) {
    if (i) text += ",";
    text += "\"flag-" + std::to_string(i) +
            R"(": {"state": "ENABLED", "variants": {"new": "new", "old": "old"},
        "defaultVariant": "old", "metadata": {"owner": "team-)" +
            std::to_string(i % 7) + R"("},
        "targeting": {"if": [{"$ref": "beta"}, "new", {"fractional": [["new", )" +
            std::to_string(i % 100) + R"(], ["old", )" + std::to_string(100 - i % 100) + "]]}]}}";
  }
  text += "}}";
  for (auto _ : state) {
    auto set = parse(text);
    benchmark::DoNotOptimize(set.get());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Load1000Flags)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ficus::flags

BENCHMARK_MAIN();
