#pragma once

// Paths into the dataset fixtures written by tests/fixtures/make_datasets.py, and the contents
// it says they have.

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

inline std::string datasetPath(const std::string &relative)
{
    return std::string(GKP_FIXTURES_DIR "/datasets/") + relative;
}

inline const nlohmann::json &datasetExpected()
{
    static const nlohmann::json doc = [] {
        std::ifstream in(datasetPath("expected.json"));
        return nlohmann::json::parse(in);
    }();
    return doc;
}
