// The signed-in user's own account on NestJS: add AccountController to the module that imports
// QuickBloxModule (with `session: true`, and a verify that keeps `qbToken: session.token`), as in
// docs/examples/nest-express.ts. QuickBloxExceptionFilter answers the library's other errors.
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  HttpCode,
  Patch,
  Post,
  Put,
  Req,
  UnauthorizedException,
  UnprocessableEntityException,
  UseFilters,
} from '@nestjs/common'
import type { Request } from 'express'
import 'passport' // its req.logout()
import {
  QuickBloxCredentialsError,
  QuickBloxStrategy,
  QuickBloxValidationError,
  QuickBloxWrongPasswordError,
} from 'passport-quickblox'
import { QuickBloxExceptionFilter, QuickBloxUser } from 'passport-quickblox/nest'

/** What the session keeps: the QuickBlox token stays on the server. */
interface AppUser {
  id: number
  login: string | null
  email: string | null
  qbToken: string
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const signedIn = (user: AppUser | undefined): AppUser => {
  if (!user) throw new UnauthorizedException()
  return user
}
/** QuickBlox's field errors, for the client to show beside its fields. */
const invalid = (fields: Readonly<Record<string, readonly string[]>>) => new UnprocessableEntityException({ fields })

@Controller('account')
@UseFilters(QuickBloxExceptionFilter)
export class AccountController {
  // The module provides the strategy it registered; its client needs no second set of credentials.
  constructor(private readonly strategy: QuickBloxStrategy) {}

  @Patch()
  async update(@QuickBloxUser() current: AppUser | undefined, @Body() body: Record<string, unknown>) {
    const user = signedIn(current)
    try {
      const changes = { fullName: text(body.full_name), email: text(body.email) }
      const updated = await this.strategy.client.updateUser(user.id, changes, user.qbToken)
      return { user: { id: updated.id, full_name: updated.full_name, email: updated.email } }
    } catch (err) {
      if (err instanceof QuickBloxValidationError) throw invalid(err.fields)
      throw err
    }
  }

  // A wrong current password is a password guess: count it in your rate limits as a failed sign-in.
  @Put('password')
  @HttpCode(204)
  async changePassword(@QuickBloxUser() current: AppUser | undefined, @Body() body: Record<string, unknown>) {
    const user = signedIn(current)
    const [oldPassword, password] = [text(body.current_password), text(body.new_password)]
    if (!oldPassword || !password) throw new BadRequestException('Both passwords are required')
    try {
      await this.strategy.client.changePassword(user.id, { oldPassword, password }, user.qbToken)
    } catch (err) {
      if (err instanceof QuickBloxWrongPasswordError) throw invalid({ current_password: ['is not correct'] })
      if (err instanceof QuickBloxValidationError) throw invalid(err.fields)
      throw err
    }
    // QuickBlox keeps the user's other sessions: end your own sessions of this user here.
  }

  // The password is checked by a QuickBlox login, whose fresh token then deletes the account.
  @Delete()
  @HttpCode(204)
  async remove(
    @Req() req: Request,
    @QuickBloxUser() current: AppUser | undefined,
    @Body() body: Record<string, unknown>,
  ) {
    const user = signedIn(current)
    const password = text(body.password)
    const name = user.login ? { login: user.login } : user.email ? { email: user.email } : undefined
    if (!password || !name) throw new BadRequestException('The password is required')
    let token: string
    try {
      token = (await this.strategy.client.login({ ...name, password })).session.token
    } catch (err) {
      if (err instanceof QuickBloxCredentialsError) throw invalid({ password: ['is not correct'] })
      throw err
    }
    await this.strategy.client.deleteUser(user.id, token) // QuickBlox ends the user's sessions with it
    await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err as Error) : resolve())))
  }

  // The same answer for every address, known or not; limit it per client address and per email.
  @Post('password-reset')
  @HttpCode(202)
  async resetPassword(@Body() body: Record<string, unknown>) {
    const email = text(body.email)
    if (!email || email.length > 255) throw new BadRequestException('An email is required')
    await this.strategy.client.sendPasswordResetEmail(email)
    return { message: 'If an account uses this address, a link is on its way.' }
  }
}
