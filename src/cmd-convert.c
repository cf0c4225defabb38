/* cmd-convert.c - `bienmuc convert` (placeholder until the codecs land). */
#include "cmd.h"
int cmd_convert(int argc, char **argv)
{
	(void)argc; (void)argv;
	cmd_error("convert", "not implemented yet");
	return 3;
}
