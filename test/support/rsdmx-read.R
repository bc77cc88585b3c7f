# Reads the hub's SDMX REST web service with rsdmx, as a statistical office would, and writes what
# rsdmx made of it as CSV files for the test to compare (test/e2e/sdmx-rsdmx.e2e.test.ts).
#   Rscript rsdmx-read.R BASE_URL NATIONAL_TOKEN LANG_SON_TOKEN DATA_KEY OUT_DIR
suppressPackageStartupMessages(library(rsdmx))
args <- commandArgs(trailingOnly = TRUE)
base <- args[1]
national <- list(Authorization = paste("Bearer", args[2]))
langSon <- list(Authorization = paste("Bearer", args[3]))
key <- args[4]
out <- args[5]
save <- function(df, name) write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE, fileEncoding = "UTF-8")

flows <- readSDMX(paste0(base, "/dataflow/BDG/all/latest"), headers = national)
save(as.data.frame(flows), "dataflows")

# A message with the DSD alone is read as SDMXDataStructures (with its code lists, as an SDMXDataStructureDefinition).
dsd <- readSDMX(paste0(base, "/datastructure/BDG/DSD_GENDER_STATISTICS/1.0"), headers = national)
components <- slot(slot(dsd, "datastructures")[[1]], "Components")
save(as.data.frame(components)[, c("component", "conceptRef", "codelist")], "components")

lists <- readSDMX(paste0(base, "/codelist/BDG/CL_FREQ+CL_SEX+CL_INDICATOR+CL_UNIT_MEASURE/1.0"), headers = national)
save(data.frame(id = sapply(slot(lists, "codelists"), slot, "id")), "codelists")
save(as.data.frame(lists, codelistId = "CL_SEX"), "cl_sex")
save(as.data.frame(lists, codelistId = "CL_INDICATOR"), "cl_indicator")

areas <- readSDMX(paste0(base, "/codelist/BDG/CL_AREA/1.0"), headers = langSon)
save(as.data.frame(areas), "cl_area")

for (format in c("generic", "structurespecific")) {
  accept <- paste0("application/vnd.sdmx.", format, "data+xml;version=2.1")
  data <- suppressWarnings(readSDMX(paste0(base, "/data/GENDER_STATISTICS/", key), headers = c(national, Accept = accept)))
  save(as.data.frame(data), paste0("data_", format))
}
