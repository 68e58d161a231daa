#include "cli.h"

int main(int argc, char **argv)
{
    return gkp::cli::run(argc, argv);
}
