return await HaAgent.Ctl.CtlProgram.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
