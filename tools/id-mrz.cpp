// id-mrz: find and read the machine-readable zone of each document.
#include <idkit/cli.hpp>
#include <idkit/mrz_read.hpp>
#include <idkit/ocrb.hpp>

int main(int argc, char** argv) {
  CLI::App app{"Find and read the machine-readable zone (MRZ) of identity documents, validate and correct it"};
  idkit::cli::Options opts;
  idkit::cli::addCommonOptions(app, opts);
  idkit::cli::addAsOf(app, opts);
  idkit::mrz::ReadOptions ropts;
  std::string format;
  app.add_option("--format", format, "Expect this layout: TD1, TD2, TD3, MRVA, MRVB, FRENCH_ID");
  app.add_flag("--no-mirror", [&](std::int64_t) { ropts.try_mirrored = false; },
               "Do not retry on the mirrored image when nothing valid is found");
  app.add_flag("--no-find-document", [&](std::int64_t) { ropts.find_document = false; },
               "Read a photo only as it is: do not find, flatten and read its document first");
  std::string writeModel;
  app.add_option("--write-model", writeModel,
                 "Train the OCR-B classifier, write it to this file and exit (used by the build)");
  idkit::ocrb::TrainOptions train;
  app.add_option("--train-samples", train.samples_per_class, "With --write-model: training samples per class");
  app.add_option("--train-hidden", train.hidden, "With --write-model: hidden units");
  app.add_option("--train-epochs", train.epochs, "With --write-model: training epochs");
  app.add_option("--train-members", train.members,
                 "With --write-model: members trained with successive seeds, their probabilities averaged");
  if (auto code = idkit::cli::parse(app, argc, argv)) return *code;

  if (!writeModel.empty()) return idkit::ocrb::Classifier::train(train).save(writeModel) ? 0 : idkit::cli::kExitInternal;
  if (!format.empty()) {
    ropts.parse.format = idkit::mrz::formatFromString(format);
    if (!ropts.parse.format) {
      std::fprintf(stderr, "id-mrz: unknown --format %s\n", format.c_str());
      return idkit::cli::kExitUsage;
    }
  }
  ropts.parse.as_of = opts.as_of;
  // Train or load the classifier once, before the worker threads start.
  (void)idkit::ocrb::Classifier::shared();

  idkit::cli::Tool tool{"id-mrz", [&](idkit::Json& rec) { return idkit::mrz::readRecord(rec, opts.limits, ropts); }};
  return idkit::cli::run(tool, opts);
}
